/** Small random Kim / SM weight sets in castorini's layout, for tests that need a model but not PyTorch's numbers. */
import { randomFloats } from './random.js';
import type { RawTensor } from './safetensors.js';

export function kimTensors(opts: { channels?: number; filters?: number; dim?: number; classes?: number } = {}): RawTensor[] {
  const { channels = 1, filters = 4, dim = 6, classes = 3 } = opts;
  const tensors: RawTensor[] = [];
  [3, 4, 5].forEach((k, i) => {
    tensors.push({ name: `conv${i + 1}.weight`, shape: [filters, channels, k, dim], data: randomFloats(filters * channels * k * dim, 0.3) });
    tensors.push({ name: `conv${i + 1}.bias`, shape: [filters], data: randomFloats(filters, 0.1) });
  });
  tensors.push({ name: 'fc1.weight', shape: [classes, 3 * filters], data: randomFloats(classes * 3 * filters, 0.3) });
  tensors.push({ name: 'fc1.bias', shape: [classes], data: randomFloats(classes, 0.1) });
  return tensors;
}

export function smTensors(opts: { filters?: number; dim?: number; ext?: boolean } = {}): RawTensor[] {
  const { filters = 4, dim = 5, ext = false } = opts;
  const hidden = 2 * filters + (ext ? 4 : 0);
  const conv = (name: string): RawTensor[] => [
    { name: `${name}.weight`, shape: [filters, 1, 5, dim], data: randomFloats(filters * 5 * dim, 0.3) },
    { name: `${name}.bias`, shape: [filters], data: randomFloats(filters, 0.1) },
  ];
  return [
    ...conv('conv_q'),
    ...conv('conv_a'),
    { name: 'combined_feature_vector.weight', shape: [hidden, hidden], data: randomFloats(hidden * hidden, 0.3) },
    { name: 'combined_feature_vector.bias', shape: [hidden], data: randomFloats(hidden, 0.1) },
    { name: 'hidden.weight', shape: [2, hidden], data: randomFloats(2 * hidden, 0.3) },
    { name: 'hidden.bias', shape: [2], data: randomFloats(2, 0.1) },
  ];
}
