// Builds the project in the current directory as `webpack --mode production` would with no
// configuration file (entry ./src/index.js, output ./dist/main.js), through webpack's Node API, and
// prints its errors and warnings as JSON. Used by test/package/consumers.test.ts.
import webpack from "webpack";

const compiler = webpack({ mode: "production" });
compiler.run((error, stats) => {
  compiler.close(() => {
    if (error || !stats) {
      console.error(error);
      process.exit(1);
    }
    const { errors = [], warnings = [] } = stats.toJson({ all: false, errors: true, warnings: true });
    console.log(JSON.stringify({ errors: errors.map((e) => e.message), warnings: warnings.map((w) => w.message) }));
  });
});
