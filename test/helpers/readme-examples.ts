// The README's JavaScript examples that use the package (```js blocks importing "wasm-rnn"), with the
// line each starts on: the consumer tests compile them as TypeScript against the packed types, so the
// signatures the README shows are the real ones.

export interface ReadmeExample {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

export function readmeExamples(markdown: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(js|ts)\s*$/.test(lines[i])) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.push(lines[i]);
    const code = body.join("\n") + "\n";
    if (/from "wasm-rnn(\/[a-z]+)?"/.test(code)) examples.push({ line: start + 1, code });
  }
  return examples;
}
