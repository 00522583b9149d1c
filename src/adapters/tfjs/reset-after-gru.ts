// Keras's GRU with reset_after=True (TF2's default) in tfjs, which refuses it ("GRUCell does not
// support reset_after parameter set to true"). A GRU class registered under tfjs's own name "GRU"
// takes over building GRU layers from configs (tf.loadLayersModel, Bidirectional's copies): with
// reset_after its cell owns Keras's weight layout — bias [2, 3H], the input side's row then the
// recurrent side's — and serializes reset_after back; without it the layer is tfjs's GRU as it was.
// The cell's call is the tfjs-ops path (Keras's equations, one step), what runs where the bridge
// hands a layer to tfjs (a GPU backend, recurrent dropout while training); on the cpu and wasm
// backends the bridge runs the whole sequence on wasm-rnn's kernels instead.

import type { TfClass, TfModule, TfTensor } from "./host.js";

/** The GRUCell fields and methods the reset-after cell uses (tfjs-layers' GRUCell and its Layer). */
interface GRUCellBase {
  units: number;
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  built: boolean;
  kernel: { read(): TfTensor };
  recurrentKernel: { read(): TfTensor };
  bias: { read(): TfTensor } | null;
  kernelInitializer: unknown;
  recurrentInitializer: unknown;
  biasInitializer: unknown;
  kernelRegularizer: unknown;
  recurrentRegularizer: unknown;
  biasRegularizer: unknown;
  kernelConstraint: unknown;
  recurrentConstraint: unknown;
  biasConstraint: unknown;
  activation: { apply(x: TfTensor): TfTensor };
  recurrentActivation: { apply(x: TfTensor): TfTensor };
  dropoutMask: TfTensor | null;
  recurrentDropoutMask: TfTensor | null;
  addWeight(name: string, shape: number[], dtype: null, initializer: unknown, regularizer: unknown, trainable: boolean, constraint: unknown): { read(): TfTensor };
  getConfig(): Record<string, unknown>;
}

type GRUCellClass = new (args: Record<string, unknown>) => GRUCellBase;
type GRUClass = new (args: Record<string, unknown>) => { cell: object };

/** The GRU class to register as "GRU" (tfjs's GRU, plus reset_after), made from tfjs's own classes. */
export function resetAfterGRU(tf: TfModule, gru: TfClass, gruCell: TfClass): TfClass {
  const Cell = gruCell as unknown as GRUCellClass;

  class ResetAfterGRUCell extends Cell {
    readonly resetAfter = true;

    constructor(args: Record<string, unknown>) {
      super({ ...args, resetAfter: false });
    }

    /** Keras's reset_after weights: kernel [I, 3H], recurrent_kernel [H, 3H], bias [2, 3H]. */
    build(inputShape: number[] | number[][]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as number[];
      const H = this.units;
      this.kernel = this.addWeight("kernel", [shape[shape.length - 1], 3 * H], null, this.kernelInitializer, this.kernelRegularizer, true, this.kernelConstraint);
      this.recurrentKernel = this.addWeight("recurrent_kernel", [H, 3 * H], null, this.recurrentInitializer, this.recurrentRegularizer, true, this.recurrentConstraint);
      this.bias = this.useBias ? this.addWeight("bias", [2, 3 * H], null, this.biasInitializer, this.biasRegularizer, true, this.biasConstraint) : null;
      this.built = true;
    }

    /** One step in tfjs ops ([x, h] → [h', h']): z, r from both sides' products, ĥ = act(x_h + r ⊙ h_h),
     *  h' = z ⊙ h + (1 − z) ⊙ ĥ; dropout masks as tfjs's GRUCell makes them (one per call of the layer). */
    call(inputs: TfTensor[], kwargs: { training?: boolean }): TfTensor[] {
      return tf.tidy(() => {
        let [x, h] = inputs;
        const training = kwargs.training === true;
        const mask = (ones: () => TfTensor, rate: number) => tf.keep(training ? tf.dropout(ones(), rate) : ones());
        if (0 < this.dropout && this.dropout < 1) {
          this.dropoutMask ??= mask(() => tf.onesLike(x), this.dropout);
          x = tf.mul(x, this.dropoutMask);
        }
        if (0 < this.recurrentDropout && this.recurrentDropout < 1) {
          this.recurrentDropoutMask ??= mask(() => tf.onesLike(h), this.recurrentDropout);
          h = tf.mul(h, this.recurrentDropoutMask);
        }
        let inputSide = tf.matMul(x, this.kernel.read());
        let hiddenSide = tf.matMul(h, this.recurrentKernel.read());
        if (this.bias) {
          const [inputBias, hiddenBias] = tf.split(this.bias.read(), 2, 0);
          inputSide = tf.add(inputSide, inputBias);
          hiddenSide = tf.add(hiddenSide, hiddenBias);
        }
        const [xz, xr, xh] = tf.split(inputSide, 3, 1);
        const [hz, hr, hh] = tf.split(hiddenSide, 3, 1);
        const z = this.recurrentActivation.apply(tf.add(xz, hz));
        const r = this.recurrentActivation.apply(tf.add(xr, hr));
        const candidate = this.activation.apply(tf.add(xh, tf.mul(r, hh)));
        const next = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), candidate));
        return [next, next];
      });
    }

    override getConfig(): Record<string, unknown> {
      return { ...super.getConfig(), resetAfter: true };
    }
  }

  const Base = gru as unknown as GRUClass;
  class KerasGRU extends Base {
    static readonly className = gru.className;

    constructor(args: Record<string, unknown>) {
      // tfjs's GRU builds a GRUCell, which throws on resetAfter: it gets a config without it, and
      // the reset-after cell replaces it before anything is built.
      super({ ...args, resetAfter: false });
      if (args.resetAfter === true) this.cell = new ResetAfterGRUCell(args);
    }
  }
  return KerasGRU as unknown as TfClass;
}
