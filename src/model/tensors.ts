/**
 * Reads a model's architecture from its weight file: the tensor names and
 * shapes decide (castorini's state_dict layout), the metadata must agree and
 * adds the labels. Anything else is refused with a message naming what is wrong.
 */
import { UnsupportedModelError, WeightFileError } from '../errors.js';
import type { SafetensorsFile, TensorView } from '../safetensors/read.js';
import type { KimSpec, ModelSpec, SmSpec } from './spec.js';

const KIM_TENSORS = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'conv3.weight', 'conv3.bias', 'fc1.weight', 'fc1.bias'];
const SM_TENSORS = [
  'conv_q.weight', 'conv_q.bias', 'conv_a.weight', 'conv_a.bias',
  'combined_feature_vector.weight', 'combined_feature_vector.bias', 'hidden.weight', 'hidden.bias',
];
/** Embedding tables that older Castor checkpoints carry; the engine takes vectors from a store instead. */
const IGNORED_TENSORS = ['embed.weight', 'static_embed.weight', 'non_static_embed.weight'];

/** Detects Kim (static / multichannel) or SM (with / without external features) and checks every shape. */
export function readModelSpec(weights: SafetensorsFile): ModelSpec {
  const names = [...weights.tensors.keys()].filter((name) => !IGNORED_TENSORS.includes(name));
  const isKim = names.includes('conv1.weight') || names.includes('fc1.weight');
  const isSm = names.includes('conv_q.weight') || names.includes('combined_feature_vector.weight');
  if (isKim === isSm) {
    throw new UnsupportedModelError(
      weights.file,
      `tensors [${names.join(', ')}] are neither castorini's KimCNN (${KIM_TENSORS.join(', ')}) nor its SMModel (${SM_TENSORS.join(', ')})`,
    );
  }
  const expected = isKim ? KIM_TENSORS : SM_TENSORS;
  const missing = expected.filter((name) => !weights.tensors.has(name));
  const unexpected = names.filter((name) => !expected.includes(name));
  if (missing.length > 0) throw new WeightFileError(weights.file, `missing tensor for ${isKim ? 'KimCNN' : 'SMModel'}`, missing[0]);
  if (unexpected.length > 0) {
    throw new UnsupportedModelError(weights.file, `unexpected tensors [${unexpected.join(', ')}] for ${isKim ? 'KimCNN' : 'SMModel'}`);
  }
  const declared = weights.metadata['tinycnn.architecture'];
  const detected = isKim ? 'KimCNN' : 'SMModel';
  if (declared !== undefined && declared !== detected) {
    throw new UnsupportedModelError(weights.file, `metadata says architecture ${declared} but the tensors are ${detected}'s`);
  }
  return isKim ? kimSpec(weights) : smSpec(weights);
}

function kimSpec(weights: SafetensorsFile): KimSpec {
  const t = (name: string) => weights.tensors.get(name) as TensorView;
  const [filters, channels, , dim] = expectRank(weights, 'conv1.weight', 4);
  if (channels !== 1 && channels !== 2) throw new WeightFileError(weights.file, `${channels} input channels; KimCNN has 1 (static) or 2 (multichannel)`, 'conv1.weight');
  const kernelSizes = ['conv1', 'conv2', 'conv3'].map((conv) => {
    const [f, c, k, d] = expectRank(weights, `${conv}.weight`, 4);
    if (f !== filters || c !== channels || d !== dim || k < 1) {
      throw new WeightFileError(weights.file, `shape [${t(`${conv}.weight`).shape}] does not match conv1's [${filters}, ${channels}, *, ${dim}]`, `${conv}.weight`);
    }
    expectShape(weights, `${conv}.bias`, [filters]);
    return k;
  });
  const [classes] = expectRank(weights, 'fc1.weight', 2);
  expectShape(weights, 'fc1.weight', [classes, 3 * filters]);
  expectShape(weights, 'fc1.bias', [classes]);
  return { kind: 'kim', channels, dim, filters, kernelSizes, classes, labels: readLabels(weights, classes) };
}

function smSpec(weights: SafetensorsFile): SmSpec {
  const [filters, channels, k, dim] = expectRank(weights, 'conv_q.weight', 4);
  if (channels !== 1) throw new WeightFileError(weights.file, `${channels} input channels; SMModel has 1`, 'conv_q.weight');
  expectShape(weights, 'conv_q.bias', [filters]);
  expectShape(weights, 'conv_a.weight', [filters, 1, k, dim]);
  expectShape(weights, 'conv_a.bias', [filters]);
  const [hidden] = expectRank(weights, 'combined_feature_vector.weight', 2);
  const extFeatures = hidden - 2 * filters;
  if (extFeatures !== 0 && extFeatures !== 4) {
    throw new WeightFileError(weights.file, `width ${hidden} is neither 2 x ${filters} filters nor that + 4 external features`, 'combined_feature_vector.weight');
  }
  expectShape(weights, 'combined_feature_vector.weight', [hidden, hidden]);
  expectShape(weights, 'combined_feature_vector.bias', [hidden]);
  const [classes] = expectRank(weights, 'hidden.weight', 2);
  expectShape(weights, 'hidden.weight', [classes, hidden]);
  expectShape(weights, 'hidden.bias', [classes]);
  return { kind: 'sm', dim, filters, k, extFeatures, hidden, classes, labels: readLabels(weights, classes) };
}

function expectRank(weights: SafetensorsFile, name: string, rank: number): readonly number[] {
  const { shape } = weights.tensors.get(name) as TensorView;
  if (shape.length !== rank || shape.some((d) => d < 1)) {
    throw new WeightFileError(weights.file, `shape [${shape}] should have ${rank} non-zero dimensions`, name);
  }
  return shape;
}

function expectShape(weights: SafetensorsFile, name: string, expected: readonly number[]): void {
  const { shape } = weights.tensors.get(name) as TensorView;
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new WeightFileError(weights.file, `shape [${shape}] should be [${expected}]`, name);
  }
}

/** Class names from `tinycnn.labels`, or "0".."C-1" when the file has none. */
function readLabels(weights: SafetensorsFile, classes: number): string[] {
  const raw = weights.metadata['tinycnn.labels'];
  if (raw === undefined) return Array.from({ length: classes }, (_, i) => String(i));
  let labels: unknown;
  try {
    labels = JSON.parse(raw);
  } catch {
    throw new WeightFileError(weights.file, `metadata tinycnn.labels is not JSON: ${raw.slice(0, 80)}`);
  }
  if (!Array.isArray(labels) || labels.length !== classes || !labels.every((l) => typeof l === 'string')) {
    throw new WeightFileError(weights.file, `metadata tinycnn.labels should be a list of ${classes} strings, got ${raw.slice(0, 80)}`);
  }
  return labels;
}
