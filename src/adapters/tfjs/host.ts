// The parts of TensorFlow.js the bridge uses, as structural types: wasm-rnn never imports tfjs (it is
// an optional peer), so these say what is read from the module the application hands to useWasmRnn
// and from its layers (tfjs-layers' RNN, LSTM, GRU, SimpleRNN and their cells, which keep their
// weights in LayerVariables over tf.Variables).

/** A tfjs tensor, as the bridge reads it. */
export interface TfTensor {
  readonly shape: number[];
  readonly dtype: string;
  readonly rank: number;
  /** The backend's handle of the values: a Variable gets a new one whenever it is assigned. */
  readonly dataId: object;
  dataSync(): ArrayLike<number>;
}

/** A tfjs-layers LayerVariable (a layer's weight), over a tf.Variable. */
export interface TfLayerVariable {
  read(): TfTensor;
  readonly shape: number[];
}

/** The fields of an LSTMCell, GRUCell or SimpleRNNCell the bridge reads. */
export interface TfCell {
  kernel?: TfLayerVariable;
  recurrentKernel?: TfLayerVariable;
  bias?: TfLayerVariable | null;
  readonly units: number;
  /** H, or [H, H] for an LSTM (h and c). */
  readonly stateSize: number | number[];
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** A function (ones, rate) → mask given to the cell instead of tf.dropout (tfjs's own option). */
  readonly dropoutFunc?: ((ones: TfTensor, rate: number) => TfTensor) | null;
  dropoutMask: TfTensor | TfTensor[] | null;
  recurrentDropoutMask: TfTensor | TfTensor[] | null;
}

/** A tfjs-layers recurrent layer (LSTM, GRU, SimpleRNN: subclasses of RNN). */
export interface TfRecurrentLayer {
  readonly name: string;
  readonly cell: TfCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  /** The states a stateful layer keeps between calls. */
  readonly states_: TfTensor[] | null;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  resetStates(states?: TfTensor[], training?: boolean): void;
}

/** The keyword arguments tfjs passes to a layer's call. */
export interface TfCallArgs {
  mask?: TfTensor | TfTensor[] | null;
  training?: boolean | null;
  initialState?: TfTensor[] | null;
}

/** A layer class as tfjs's serialization map holds it. */
export interface TfClass {
  new (args: Record<string, unknown>): object;
  readonly prototype: object;
  readonly className: string;
}

/** tf.customGrad's function, called with the inputs and then a `save` function: the forward value and
 *  the gradient of each input. */
export type CustomGradFunc = (...args: unknown[]) => { value: TfTensor; gradFunc: (dy: TfTensor) => TfTensor[] };

/** The tfjs module (@tensorflow/tfjs, or @tensorflow/tfjs-core with @tensorflow/tfjs-layers loaded). */
export interface TfModule {
  customGrad(f: CustomGradFunc): (...inputs: TfTensor[]) => TfTensor;
  tidy<T>(f: () => T): T;
  tensor(values: Float32Array, shape: readonly number[], dtype?: string): TfTensor;
  getBackend(): string;
  dispose(tensors: TfTensor | TfTensor[] | null): void;
  keep<T extends TfTensor>(t: T): T;
  mul(a: TfTensor, b: TfTensor | number): TfTensor;
  add(a: TfTensor, b: TfTensor | number): TfTensor;
  sub(a: TfTensor | number, b: TfTensor): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  split(x: TfTensor, sizes: number | number[], axis: number): TfTensor[];
  slice(x: TfTensor, begin: number | number[], size: number | number[]): TfTensor;
  reshape(x: TfTensor, shape: number[]): TfTensor;
  expandDims(x: TfTensor, axis: number): TfTensor;
  onesLike(x: TfTensor): TfTensor;
  ones(shape: number[]): TfTensor;
  dropout(x: TfTensor, rate: number): TfTensor;
  serialization: {
    SerializationMap: { getMap(): { classNameMap: Record<string, [TfClass, unknown] | undefined> } };
    registerClass(cls: TfClass): unknown;
  };
}
