/**
 * Kim CNN (castorini's kim_cnn/model.py, class KimCNN): conv1..3, nn.Conv2d(C_in, 100,
 * (k, 300), padding=(k-1, 0)) for k = 3, 4, 5, ReLU, max over time, fc1. Input
 * (channels, tokens, dim): 1 channel (static / non-static / rand) or 2 (multichannel:
 * channel 0 non-static, channel 1 static).
 */
import { WeightFileError } from '../../errors.js';
import type { SafetensorsFile } from '../../safetensors/read.js';
import type { Architecture, SentenceSlot } from '../architecture.js';
import { expectRank, expectShape, readLabels } from '../tensors.js';
import { KimForward, kimScratchWidths } from './forward.js';
import type { KimInput, KimSpec } from './spec.js';

export type { KimInput, KimSpec } from './spec.js';

const CONVS = ['conv1', 'conv2', 'conv3'];
/** The one slot, per channel count (made once: input checks ask for it on every call). */
const SLOTS = new Map<number, readonly SentenceSlot[]>();

/** Kim CNN behind the model contract. */
export const kimCnn: Architecture<KimSpec, KimInput> = {
  kind: 'kim',
  className: 'KimCNN',
  title: 'Kim CNN',
  task: 'classify-text',
  tensors: ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'conv3.weight', 'conv3.bias', 'fc1.weight', 'fc1.bias'],
  signature: ['conv1.weight', 'fc1.weight'],
  slots(spec) {
    let slots = SLOTS.get(spec.channels);
    if (slots === undefined) SLOTS.set(spec.channels, (slots = [{ field: 'x', channels: spec.channels, probeKey: 'tokens' }]));
    return slots;
  },
  extFeatures: () => 0,
  makeInput: ([x]) => ({ x }),
  readSpec,
  scratchWidths: kimScratchWidths,
  createForward: (spec, weights, backend) => new KimForward(spec, weights, backend),
  flops(spec, [tokens]) {
    let flops = 2 * 3 * spec.filters * spec.classes; // fc1: [1, 3·filters] x [3·filters, classes]
    // each wide conv is a GEMM [tokens + k - 1, k·dim·channels] x [k·dim·channels, filters]
    for (const k of spec.kernelSizes) flops += 2 * (tokens + k - 1) * k * spec.dim * spec.channels * spec.filters;
    return flops;
  },
  describe: (spec) => `${spec.channels === 1 ? 'static' : 'multichannel'},${spec.classes}classes`,
};

function readSpec(weights: SafetensorsFile): KimSpec {
  const [filters, channels, , dim] = expectRank(weights, 'conv1.weight', 4);
  if (channels !== 1 && channels !== 2)
    throw new WeightFileError(weights.file, `${channels} input channels; KimCNN has 1 (static) or 2 (multichannel)`, 'conv1.weight');
  const kernelSizes = CONVS.map((conv) => {
    const shape = expectRank(weights, `${conv}.weight`, 4);
    const [f, c, k, d] = shape;
    if (f !== filters || c !== channels || d !== dim || k < 1) {
      throw new WeightFileError(weights.file, `shape [${shape}] does not match conv1's [${filters}, ${channels}, *, ${dim}]`, `${conv}.weight`);
    }
    expectShape(weights, `${conv}.bias`, [filters]);
    return k;
  });
  const [classes] = expectRank(weights, 'fc1.weight', 2);
  expectShape(weights, 'fc1.weight', [classes, 3 * filters]);
  expectShape(weights, 'fc1.bias', [classes]);
  return { kind: 'kim', channels, dim, filters, kernelSizes, classes, labels: readLabels(weights, classes) };
}
