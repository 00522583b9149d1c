// Ends one worker thread of another Node process from outside, abruptly, as a crash would: connects
// to that process's inspector (its ws:// URL is argv[2]; start it with --inspect=127.0.0.1:0), finds
// its Worker objects on the heap and terminates the first one. Prints how many workers it found.
// Run with `node --experimental-websocket` on Node 20 (WebSocket is global from Node 22).

const socket = new WebSocket(process.argv[2]);
const answers = new Map();
let lastId = 0;
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  answers.get(message.id)?.(message);
};

/** One DevTools-protocol call; its result, or an exit with the protocol's error. */
function call(method, params) {
  const id = ++lastId;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve) => answers.set(id, (m) => {
    if (m.error || m.result?.exceptionDetails) {
      console.error(`${method}: ${JSON.stringify(m.error ?? m.result.exceptionDetails)}`);
      process.exit(1);
    }
    resolve(m.result);
  }));
}

await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = () => reject(new Error(`cannot connect to ${process.argv[2]}`));
});
const prototype = await call("Runtime.evaluate", { expression: 'process.getBuiltinModule("node:worker_threads").Worker.prototype' });
const { objects } = await call("Runtime.queryObjects", { prototypeObjectId: prototype.result.objectId });
const ended = await call("Runtime.callFunctionOn", {
  objectId: objects.objectId,
  // (the heap also holds prototypes that inherit Worker's; a live worker has a thread id)
  functionDeclaration: `function () {
    const workers = this.filter((w) => { try { return w.threadId > 0; } catch { return false; } });
    if (workers.length > 0) void workers[0].terminate();
    return workers.length;
  }`,
  returnByValue: true,
});
console.log(ended.result.value);
socket.close();
