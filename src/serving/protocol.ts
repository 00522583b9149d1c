// What the pool and its workers say to each other (through Comlink): how to rebuild a model or
// layer in a worker, how its weights reach the worker (pointers into the shared memory, or copies;
// an imported model's come once, with what it is rebuilt from), and the calls a worker may run.
// Plain, structured-cloneable data only.

import type { CellKind } from "../engine/cells.js";
import type { Attachment } from "../engine/engine.js";
import type { SequencePlan } from "../engine/abi.js";
import type { TeamKernel } from "../engine/threads/team-control.js";
import type { LayersModelSource } from "../io/keras/model.js";
import type { InferenceSession, SessionSource } from "../io/onnx/session.js";
import type { LayersModel } from "../io/keras/model.js";
import type { Model } from "../models/model.js";
import type { Recurrent } from "../layers/recurrent.js";

/** What a pool hosts: one of the library's models or recurrent layers, or an imported ONNX or Keras model. */
export type Hosted = Model | Recurrent | InferenceSession | LayersModel;

/** @internal What to rebuild in the worker: one of the library's models or layers, or an imported
 *  ONNX or Keras model from what it was made from. */
export type HostedSpec =
  | { kind: "model"; modelType: string; config: Record<string, unknown> }
  | { kind: "layer"; cell: CellKind; options: Record<string, unknown> }
  | { kind: "onnx"; source: SessionSource }
  | { kind: "keras"; source: LayersModelSource };

/** @internal The weights, per layer in `model.layers` order: where they live (shared), or a copy (fallback). */
export type WeightsMessage =
  | { shared: true; values: number[]; versions: number[] }
  | { shared: false; versions: number[]; tensors: Record<string, { shape: number[]; data: Float32Array | Int8Array }> };

/** @internal Gradients a worker computed for its shard: where they are (shared) or copies (fallback). */
export type GradientsMessage = { shared: true; pointers: number[]; floats: number[] } | { shared: false; arrays: Float32Array[] };

/** The methods a worker runs on a hosted model or layer. */
export type HostedMethod =
  | "forward" // Recurrent.forward, SequenceClassifier.forward
  | "predict" // SequenceClassifier / SequenceTagger / LayersModel
  | "run" // InferenceSession
  | "sample" // LanguageModel
  | "logProb" // LanguageModel
  | "decode" // Seq2Seq (model.decode(sources, options))
  | "batchLoss" // classifier, tagger, seq2seq training shard
  | "windowLoss"; // language-model training shard

/** @internal What a pool worker exposes through Comlink. */
export interface WorkerApi {
  init(setup: Attachment): Promise<void>;
  /** Rebuilds what `spec` describes under `id`, with these weights (null: the spec carries them). */
  host(id: number, spec: HostedSpec, weights: WeightsMessage | null): void;
  /** Frees the worker's copy of what it hosts under `id` (nothing when it hosts nothing there). */
  drop(id: number): void;
  /** The ids it hosts (tests). */
  hostedIds(): number[];
  /** Runs a method with the given weights (synchronised first when they changed). */
  call(id: number, method: HostedMethod, args: unknown[], weights: WeightsMessage | null): unknown;
  /** The gradients left by the last training call on `id`. */
  gradients(id: number): GradientsMessage;
  /** Runs one part of a split forward kernel on a plan whose buffers live in the shared memory. */
  runKernel(kernel: TeamKernel, plan: SequencePlan): void;
}
