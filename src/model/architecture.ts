/**
 * The contract every model kind implements. Each kind lives in its own folder
 * (src/model/kim, src/model/sm) and exports one Architecture; src/model/registry.ts
 * lists them. Everything else — loading, input checks, the parity certificate, the
 * run state, the pipelines, the hosts — works through this interface, so a third
 * text CNN is one new folder and one line in the registry.
 *
 * An input is a few sentence matrices in a fixed order (the architecture's `slots`:
 * Kim CNN's x; SM CNN's q and a) plus, for some models, a vector of external features.
 *
 * Metadata keys written by converters/export.py (all values are strings, as
 * safetensors requires):
 *   tinycnn.architecture  the PyTorch class: "KimCNN" | "SMModel"
 *   tinycnn.config        JSON: Kim {"mode","channels","filters","dim","kernel_sizes","classes"}
 *                               SM  {"filters","dim","k","ext_feats","classes"}
 *   tinycnn.labels        JSON array of class names, index = class id
 *   tinycnn.tokenizer     "clean_str_sst" | "split" | "ptb"
 *   tinycnn.source        the checkpoint's file name;  tinycnn.source_sha256  its hash
 *   tinycnn.probe         JSON parity certificate, see model/certificate.ts
 */
import type { Backend, Sentence } from '../backend/backend.js';
import type { SafetensorsFile } from '../safetensors/read.js';
import type { RunState } from './run-state.js';

/** What every model's spec holds: read from the weight file's tensor shapes and metadata. */
export interface BaseSpec {
  /** The architecture's registry key ('kim', 'sm'). */
  readonly kind: string;
  /** Word-vector width. */
  readonly dim: number;
  /** Output classes (logits per input). */
  readonly classes: number;
  /** Class names, index = class id; "0".."C-1" when the file has none. */
  readonly labels: readonly string[];
}

/** What a model answers: a label for one sentence, or a relevance score for a sentence pair (class 1). */
export type Task = 'classify-text' | 'rank-pairs';

/** One sentence matrix of an input: its field name and channel count; its data is (channels, tokens, dim). */
export interface SentenceSlot {
  /** The input's field ('x', 'q', 'a'), also the JSON key and the error path. */
  readonly field: string;
  readonly channels: number;
  /** Key of its token count in the parity certificate ('tokens', 'q_tokens', 'a_tokens'). */
  readonly probeKey: string;
}

/** An input as the generic code sees it: sentences by slot field, and `ext` when the model takes external features. */
export type SlotInput = { readonly [field: string]: Sentence | Float32Array | undefined };

/** A forward pass with packed weights: writes logits, takes its scratch from the run state. */
export interface ForwardPass<I> {
  /**
   * out (batch, classes) <- the logits of each input; inputs already checked.
   * @param state the model's run state, already sized for inputs.length
   */
  run(out: Float32Array, inputs: readonly I[], state: RunState): void;
}

/** One model kind. S: its spec; I: its input. */
export interface Architecture<S extends BaseSpec = BaseSpec, I = SlotInput> {
  /** Registry key, equal to every spec's `kind`. */
  readonly kind: S['kind'];
  /** The PyTorch class name, the `tinycnn.architecture` metadata value ('KimCNN'). */
  readonly className: string;
  /** A short human name ('Kim CNN'). */
  readonly title: string;
  readonly task: Task;
  /** Every state_dict tensor the weight file must hold. */
  readonly tensors: readonly string[];
  /** Tensors whose presence says the file is this architecture's. */
  readonly signature: readonly string[];
  /** The sentences of one input, in order. */
  slots(spec: S): readonly SentenceSlot[];
  /** Width of the external feature vector an input carries (`ext`), 0 when none. */
  extFeatures(spec: S): number;
  /** An input from its sentences in slot order (and `ext` when the model takes external features); not yet checked. */
  makeInput(sentences: readonly Sentence[], ext?: Float32Array): I;
  /** Reads and checks every shape; the tensor names are known to be exactly `tensors`. */
  readSpec(weights: SafetensorsFile): S;
  /** Scratch widths the forward pass needs per input, floats: the run state holds (batch, width) for each. */
  scratchWidths(spec: S): readonly number[];
  /** Packs the weights on the backend, once. */
  createForward(spec: S, weights: SafetensorsFile, backend: Backend): ForwardPass<I>;
  /** FLOPs of one forward pass (2 per multiply-add of the GEMMs) for sentences of these token counts, in slot order. */
  flops(spec: S, tokens: readonly number[]): number;
  /** The spec in one word for log lines ('static,6classes', 'ext0,2classes'). */
  describe(spec: S): string;
}
