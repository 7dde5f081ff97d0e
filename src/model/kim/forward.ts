/**
 * The two forward passes, written once against the Backend interface.
 * Weights are packed at construction; scratch buffers grow with the batch
 * and are reused, so a steady stream of requests allocates nothing here.
 */
import type { Backend, PackedConv, PackedDense, Sentence } from '../backend/backend.js';
import type { SafetensorsFile } from '../safetensors/read.js';
import type { KimInput, SmInput } from './input.js';
import type { KimSpec, SmSpec } from './spec.js';

const tensor = (weights: SafetensorsFile, name: string): Float32Array => weights.tensors.get(name)!.data;

/** Kim CNN: conv1..3 -> ReLU -> max over time -> concat -> fc1 (dropout is the identity at inference). */
export class KimForward {
  private readonly convs: PackedConv[];
  private readonly fc1: PackedDense;
  private features = new Float32Array(0); // (batch, 3 * filters)
  private sentences: Sentence[] = [];

  constructor(private readonly spec: KimSpec, weights: SafetensorsFile, private readonly backend: Backend) {
    const { filters, channels, dim, kernelSizes } = spec;
    this.convs = ['conv1', 'conv2', 'conv3'].map((name, i) =>
      backend.packConv(tensor(weights, `${name}.weight`), tensor(weights, `${name}.bias`), { filters, channels, k: kernelSizes[i], dim }),
    );
    this.fc1 = backend.packDense(tensor(weights, 'fc1.weight'), tensor(weights, 'fc1.bias'), spec.classes, 3 * filters);
  }

  /** out (batch, classes) <- logits for each input; inputs already checked. */
  run(out: Float32Array, inputs: readonly KimInput[]): void {
    const width = 3 * this.spec.filters;
    if (this.features.length < inputs.length * width) this.features = new Float32Array(inputs.length * width);
    this.sentences.length = 0;
    for (const input of inputs) this.sentences.push(input.x);
    this.backend.convMaxPool(this.features, width, 0, this.convs, this.sentences, 'relu');
    this.backend.dense(out, this.fc1, this.features, inputs.length, 'none');
  }
}

/** SM CNN: conv_q / conv_a -> tanh -> max over time -> concat (+ ext) -> combined_feature_vector -> tanh -> hidden. */
export class SmForward {
  private readonly convQ: PackedConv[];
  private readonly convA: PackedConv[];
  private readonly combined: PackedDense;
  private readonly hidden: PackedDense;
  private features = new Float32Array(0); // (batch, hidden)
  private joined = new Float32Array(0); // (batch, hidden)
  private questions: Sentence[] = [];
  private answers: Sentence[] = [];

  constructor(private readonly spec: SmSpec, weights: SafetensorsFile, private readonly backend: Backend) {
    const shape = { filters: spec.filters, channels: 1, k: spec.k, dim: spec.dim };
    this.convQ = [backend.packConv(tensor(weights, 'conv_q.weight'), tensor(weights, 'conv_q.bias'), shape)];
    this.convA = [backend.packConv(tensor(weights, 'conv_a.weight'), tensor(weights, 'conv_a.bias'), shape)];
    const cfv = 'combined_feature_vector';
    this.combined = backend.packDense(tensor(weights, `${cfv}.weight`), tensor(weights, `${cfv}.bias`), spec.hidden, spec.hidden);
    this.hidden = backend.packDense(tensor(weights, 'hidden.weight'), tensor(weights, 'hidden.bias'), spec.classes, spec.hidden);
  }

  /** out (batch, classes) <- logits for each input; inputs already checked. */
  run(out: Float32Array, inputs: readonly SmInput[]): void {
    const { hidden, filters, extFeatures } = this.spec;
    const batch = inputs.length;
    if (this.features.length < batch * hidden) {
      this.features = new Float32Array(batch * hidden);
      this.joined = new Float32Array(batch * hidden);
    }
    this.questions.length = 0;
    this.answers.length = 0;
    for (const input of inputs) {
      this.questions.push(input.q);
      this.answers.push(input.a);
    }
    this.backend.convMaxPool(this.features, hidden, 0, this.convQ, this.questions, 'tanh');
    this.backend.convMaxPool(this.features, hidden, filters, this.convA, this.answers, 'tanh');
    if (extFeatures > 0) inputs.forEach((input, b) => this.features.set(input.ext!, b * hidden + 2 * filters));
    this.backend.dense(this.joined, this.combined, this.features, batch, 'tanh');
    this.backend.dense(out, this.hidden, this.joined, batch, 'none');
  }
}
