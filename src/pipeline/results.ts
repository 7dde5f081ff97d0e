/** What the pipelines answer, and the one place logits become an answer (softmax, argmax, label). */
import { softmax } from '../../kernels/js/softmax.js';

/** A sentence classifier's answer for one text. */
export interface Classification {
  /** The predicted class's name, from the weight file's labels. */
  readonly label: string;
  /** The predicted class: argmax of the logits. */
  readonly prediction: number;
  /** Softmax of the logits, one per class. */
  readonly probabilities: number[];
  /** The raw logits, as the PyTorch module returns them (classes). */
  readonly logits: number[];
  /** The text's tokens, as the model's tokenizer produced them. */
  readonly tokens: string[];
  /** Distinct tokens the vector store does not know (they got zero / <unk> vectors), in order of first appearance. */
  readonly unknown: string[];
}

/** A pair ranker's answer for one question/answer pair. */
export interface PairScore {
  /** Relevance in [0, 1]: the probability of class 1 (softmax of the 2 logits); ranking sorts by it. */
  readonly score: number;
  /** The predicted class's name ("0" / "1" unless the file has labels). */
  readonly label: string;
  /** argmax of the logits. */
  readonly prediction: number;
  readonly probabilities: number[];
  /** The raw logits (classes). */
  readonly logits: number[];
  readonly tokens: { readonly question: string[]; readonly answer: string[] };
  readonly unknown: { readonly question: string[]; readonly answer: string[] };
}

/** One answer of rank(): its score, the answer text and its index in the list given. */
export interface RankedAnswer extends PairScore {
  readonly answer: string;
  readonly index: number;
}

/** Where a call's time went, filled in when passed to a pipeline call (milliseconds). */
export interface PhaseTimings {
  /** Tokenizing and word-vector lookup. */
  embedMs: number;
  /** Forward pass, softmax and the answer objects. */
  inferenceMs: number;
}

/** Row b of logits (batch, classes) -> logits, probabilities, argmax and its label. */
export function readRow(logits: Float32Array, b: number, classes: number, labels: readonly string[]) {
  const row = new Array<number>(classes); // a plain loop: Array.from(subarray) goes through the iterator protocol
  for (let i = 0; i < classes; i++) row[i] = logits[b * classes + i];
  const probabilities = new Array<number>(classes);
  softmax(probabilities, row, classes);
  let prediction = 0;
  for (let i = 1; i < classes; i++) if (row[i] > row[prediction]) prediction = i;
  return { label: labels[prediction], prediction, probabilities, logits: row };
}
