/**
 * Kim CNN's forward pass, written once against the Backend interface: conv1..3 -> ReLU
 * -> max over time -> concat -> fc1 (dropout is the identity at inference). Weights are
 * packed at construction; scratch comes from the model's RunState.
 */
import type { Backend, PackedConv, PackedDense } from '../../backend/backend.js';
import type { SafetensorsFile } from '../../safetensors/read.js';
import type { ForwardPass } from '../architecture.js';
import type { RunState } from '../run-state.js';
import { tensorData } from '../tensors.js';
import type { KimInput, KimSpec } from './spec.js';

/** Scratch per input, floats: features (3 * filters). */
export const kimScratchWidths = (spec: KimSpec): number[] => [3 * spec.filters];

/** Kim CNN's packed weights and forward pass. */
export class KimForward implements ForwardPass<KimInput> {
  private readonly convs: PackedConv[];
  private readonly fc1: PackedDense;

  constructor(
    private readonly spec: KimSpec,
    weights: SafetensorsFile,
    private readonly backend: Backend,
  ) {
    const { filters, channels, dim, kernelSizes } = spec;
    this.convs = ['conv1', 'conv2', 'conv3'].map((name, i) =>
      backend.packConv(tensorData(weights, `${name}.weight`), tensorData(weights, `${name}.bias`), { filters, channels, k: kernelSizes[i], dim }),
    );
    this.fc1 = backend.packDense(tensorData(weights, 'fc1.weight'), tensorData(weights, 'fc1.bias'), spec.classes, 3 * filters);
  }

  run(out: Float32Array, inputs: readonly KimInput[], state: RunState): void {
    const width = 3 * this.spec.filters;
    const features = state.buffers[0]; // (batch, 3 * filters)
    const sentences = state.sentences[0];
    sentences.length = 0;
    for (const input of inputs) sentences.push(input.x);
    this.backend.convMaxPool(features, width, 0, this.convs, sentences, 'relu');
    this.backend.dense(out, this.fc1, features, inputs.length, 'none');
  }
}
