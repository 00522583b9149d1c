// The error classes every public entry point throws: one class per kind of problem, all extending
// WasmRnnError so callers can catch the library's errors with one `instanceof`. Messages name what
// was wrong and what was expected.

/** Base class of every error wasm-rnn throws on purpose. */
export class WasmRnnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor, option or state has the wrong rank, size or type. */
export class ShapeError extends WasmRnnError {}

/** A file or record is malformed: safetensors, ONNX, model.json, checkpoints, state dicts. */
export class FormatError extends WasmRnnError {}

/** Something valid elsewhere that wasm-rnn does not run: an operator, attribute or dtype. */
export class UnsupportedError extends WasmRnnError {}

/** NaN or ±Inf where finite numbers are required. */
export class NumericError extends WasmRnnError {}

/** A request would exceed a memory limit, or the engine is not ready or was disposed. */
export class ResourceError extends WasmRnnError {}

/** A call that failed in a worker thread, or was lost with it. */
export class WorkerError extends WasmRnnError {}

/** A call cancelled through its AbortSignal. */
export class CancelledError extends WasmRnnError {}
