/**
 * SM CNN's forward pass, written once against the Backend interface: conv_q / conv_a ->
 * tanh -> max over time -> concat (+ ext) -> combined_feature_vector -> tanh -> hidden.
 * Weights are packed at construction; scratch comes from the model's RunState.
 */
import type { Backend, PackedConv, PackedDense } from '../../backend/backend.js';
import type { SafetensorsFile } from '../../safetensors/read.js';
import type { ForwardPass } from '../architecture.js';
import type { RunState } from '../run-state.js';
import { tensorData } from '../tensors.js';
import type { SmInput, SmSpec } from './spec.js';

/** Scratch per input, floats: the joined features and the hidden layer (hidden each). */
export const smScratchWidths = (spec: SmSpec): number[] => [spec.hidden, spec.hidden];

/** SM CNN's packed weights and forward pass. */
export class SmForward implements ForwardPass<SmInput> {
  private readonly convQ: PackedConv[];
  private readonly convA: PackedConv[];
  private readonly combined: PackedDense;
  private readonly hidden: PackedDense;

  constructor(
    private readonly spec: SmSpec,
    weights: SafetensorsFile,
    private readonly backend: Backend,
  ) {
    const shape = { filters: spec.filters, channels: 1, k: spec.k, dim: spec.dim };
    this.convQ = [backend.packConv(tensorData(weights, 'conv_q.weight'), tensorData(weights, 'conv_q.bias'), shape)];
    this.convA = [backend.packConv(tensorData(weights, 'conv_a.weight'), tensorData(weights, 'conv_a.bias'), shape)];
    const cfv = 'combined_feature_vector';
    this.combined = backend.packDense(tensorData(weights, `${cfv}.weight`), tensorData(weights, `${cfv}.bias`), spec.hidden, spec.hidden);
    this.hidden = backend.packDense(tensorData(weights, 'hidden.weight'), tensorData(weights, 'hidden.bias'), spec.classes, spec.hidden);
  }

  run(out: Float32Array, inputs: readonly SmInput[], state: RunState): void {
    const { hidden, filters, extFeatures } = this.spec;
    const batch = inputs.length;
    const [features, joined] = state.buffers; // (batch, hidden) each
    const [questions, answers] = state.sentences;
    questions.length = 0;
    answers.length = 0;
    for (const input of inputs) {
      questions.push(input.q);
      answers.push(input.a);
    }
    this.backend.convMaxPool(features, hidden, 0, this.convQ, questions, 'tanh');
    this.backend.convMaxPool(features, hidden, filters, this.convA, answers, 'tanh');
    if (extFeatures > 0) inputs.forEach((input, b) => features.set(input.ext!, b * hidden + 2 * filters));
    this.backend.dense(joined, this.combined, features, batch, 'tanh');
    this.backend.dense(out, this.hidden, joined, batch, 'none');
  }
}
