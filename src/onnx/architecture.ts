/**
 * Recognises Kim CNN or SM CNN in an ONNX graph and names its weights as the
 * PyTorch state_dict does, so the converted file is the same as one exported from
 * the checkpoint:
 *   Kim: 3 Conv + Relu, 1 dense        -> conv1..conv3.{weight,bias}, fc1.{weight,bias}
 *   SM:  2 Conv + Tanh, 2 dense        -> conv_q / conv_a, combined_feature_vector, hidden
 * Names come from the graph when it still carries them (initializer 'conv2.weight'
 * or node scope '/conv2/Conv'); otherwise from structure: Kim convs in graph order,
 * SM's conv_q is the one reading the first sentence input, dense layers in order.
 * The config (tinycnn.config) is derived from the weight shapes.
 */

import { ConversionError } from './errors.js';
import { GraphIndex } from './graph.js';
import { findConvs, findDenses, type ConvLayer, type DenseLayer, type LayerContext, type LayerTensor } from './layers.js';
import { checkOps } from './ops.js';
import type { OnnxModel, OnnxNode } from './schema.js';

/** tinycnn.config of a Kim CNN (key order as converters/export.py writes it). */
export interface KimConfig {
  mode: 'static' | 'multichannel';
  channels: number;
  filters: number;
  dim: number;
  kernel_sizes: number[];
  classes: number;
}

/** tinycnn.config of an SM CNN. */
export interface SmConfig {
  filters: number;
  dim: number;
  k: number;
  ext_feats: boolean;
  classes: number;
}

/** One state_dict tensor, PyTorch name and layout. */
export interface StateDictTensor {
  /** e.g. 'conv1.weight'. */
  name: string;
  shape: number[];
  data: Float32Array;
  /** The ONNX initializer it came from, plus ' (transposed)' when it was. */
  source: string;
}

export type MappedModel =
  | { architecture: 'KimCNN'; config: KimConfig; tensors: StateDictTensor[]; notes: string[] }
  | { architecture: 'SMModel'; config: SmConfig; tensors: StateDictTensor[]; notes: string[] };

const FLOAT_TYPES = new Set([1, 10, 11, 16]);

/**
 * Map a decoded ONNX model to Kim / SM state_dict tensors.
 * @param model  the decoded model (see decodeModel)
 * @param file   the ONNX file, for error messages
 * @returns the architecture, its config, the tensors sorted by name, and notes (dtype conversions)
 * @throws ConversionError for unsupported ops, layers, shapes or dtypes
 */
export function mapToStateDict(model: OnnxModel, file: string): MappedModel {
  checkOps(model, file);
  const ctx: LayerContext = { index: new GraphIndex(model.graph, file), file, notes: [], used: new Set() };
  const convs = findConvs(ctx);
  const denses = findDenses(ctx);
  const acts = convs.map((c) => c.activation);
  let mapped: MappedModel;
  if (convs.length === 3 && denses.length === 1 && acts.every((a) => a === 'Relu')) {
    mapped = kim(ctx, convs, denses[0]);
  } else if (convs.length === 2 && denses.length === 2 && acts.every((a) => a === 'Tanh')) {
    mapped = sm(ctx, convs, denses);
  } else {
    throw new ConversionError(
      file,
      `the graph has ${convs.length} Conv (followed by ${acts.join(', ') || '-'}) and ` +
        `${denses.length} dense layer(s); tinycnn converts Kim CNN (3 Conv + Relu, 1 dense) or SM CNN ` +
        '(2 Conv + Tanh, 2 dense) only',
    );
  }
  checkMaxOverTime(ctx, convs.length);
  checkNothingLeft(ctx);
  mapped.tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return mapped;
}

function kim(ctx: LayerContext, convs: ConvLayer[], fc: DenseLayer): MappedModel {
  const names = ['conv1', 'conv2', 'conv3'];
  const ordered = byHints(convs, names) ?? convs;
  const [filters, channels, , dim] = ordered[0].weight.shape;
  for (const c of ordered) {
    const [f, ch, , d] = c.weight.shape;
    if (f !== filters || ch !== channels || d !== dim) {
      fail(
        ctx,
        c.node,
        `weight ${JSON.stringify(c.weight.shape)} differs from the first Conv's ${JSON.stringify(ordered[0].weight.shape)} ` +
          'in filters, channels or width; Kim CNN branches share them',
      );
    }
  }
  if (channels !== 1 && channels !== 2) fail(ctx, ordered[0].node, `${channels} input channels; Kim CNN has 1 (static) or 2 (multichannel)`);
  const [classes, features] = fc.weight.shape;
  if (features !== 3 * filters) fail(ctx, fc.node, `dense layer takes ${features} features, expected 3 x ${filters} = ${3 * filters}`);
  const config: KimConfig = {
    mode: channels === 2 ? 'multichannel' : 'static',
    channels,
    filters,
    dim,
    kernel_sizes: ordered.map((c) => c.weight.shape[2]),
    classes,
  };
  const tensors = ordered.flatMap((c, i) => layerTensors(names[i], c));
  tensors.push(...layerTensors('fc1', fc));
  return { architecture: 'KimCNN', config, tensors, notes: ctx.notes };
}

function sm(ctx: LayerContext, convs: ConvLayer[], denses: DenseLayer[]): MappedModel {
  const names = ['conv_q', 'conv_a'];
  // Structure: conv_q reads the first sentence input, conv_a the second.
  const traced = convs[0].input >= 0 && convs[1].input >= 0 && convs[0].input !== convs[1].input;
  const byInput = traced ? [...convs].sort((a, b) => a.input - b.input) : convs;
  const ordered = byHints(convs, names) ?? byInput;
  const [filters, channels, k, dim] = ordered[0].weight.shape;
  const other = ordered[1].weight.shape;
  if (channels !== 1 || other.some((d, i) => d !== ordered[0].weight.shape[i])) {
    fail(
      ctx,
      ordered[1].node,
      `Conv weights ${JSON.stringify(ordered[0].weight.shape)} and ${JSON.stringify(other)}; SM CNN has two same-shape single-channel towers`,
    );
  }
  const dense = byHints(denses, ['combined_feature_vector', 'hidden']) ?? denses;
  const [width, features] = dense[0].weight.shape;
  if (features !== 2 * filters && features !== 2 * filters + 4) {
    fail(ctx, dense[0].node, `first dense layer takes ${features} features, expected 2 x ${filters} (+ 4 external features)`);
  }
  if (width !== features) fail(ctx, dense[0].node, `first dense layer is ${features} -> ${width}; SM CNN's is square`);
  const [classes, hiddenIn] = dense[1].weight.shape;
  if (hiddenIn !== width) fail(ctx, dense[1].node, `second dense layer takes ${hiddenIn} features, expected ${width}`);
  const config: SmConfig = { filters, dim, k, ext_feats: features === 2 * filters + 4, classes };
  const tensors = [
    ...layerTensors('conv_q', ordered[0]),
    ...layerTensors('conv_a', ordered[1]),
    ...layerTensors('combined_feature_vector', dense[0]),
    ...layerTensors('hidden', dense[1]),
  ];
  return { architecture: 'SMModel', config, tensors, notes: ctx.notes };
}

/** Layers ordered as `names` when the graph still names each one distinctly, else undefined. */
function byHints<T extends { node: OnnxNode; weight: LayerTensor }>(layers: T[], names: string[]): T[] | undefined {
  const hint = (l: T): string | undefined => {
    const fromWeight = /^(.+)\.weight$/.exec(l.weight.source)?.[1];
    if (fromWeight !== undefined && names.includes(fromWeight)) return fromWeight;
    const fromScope = /^\/([^/]+)\//.exec(l.node.name)?.[1];
    return fromScope !== undefined && names.includes(fromScope) ? fromScope : undefined;
  };
  const hints = layers.map(hint);
  if (hints.some((h) => h === undefined) || new Set(hints).size !== layers.length || layers.length !== names.length) return undefined;
  return names.map((n) => layers[hints.indexOf(n)]);
}

function layerTensors(prefix: string, layer: { weight: LayerTensor; bias: LayerTensor }): StateDictTensor[] {
  const src = (t: LayerTensor) => (t.transposed ? `${t.source} (transposed)` : t.source);
  return [
    { name: `${prefix}.weight`, shape: layer.weight.shape, data: layer.weight.data, source: src(layer.weight) },
    { name: `${prefix}.bias`, shape: layer.bias.shape, data: layer.bias.data, source: src(layer.bias) },
  ];
}

/** The max over time must be there: without it the graph is not Kim / SM. */
function checkMaxOverTime(ctx: LayerContext, convs: number): void {
  const maxes = ctx.index.graph.nodes.filter((n) => n.opType === 'ReduceMax').length;
  if (maxes < convs) {
    throw new ConversionError(
      ctx.file,
      `found ${maxes} ReduceMax for ${convs} Conv: the max over time is missing; ` +
        'export with a forward that uses torch.amax(x, dim=2) after each convolution',
    );
  }
}

/** A float tensor that is no known weight (an embedding table, an extra layer) means a different model. */
function checkNothingLeft(ctx: LayerContext): void {
  for (const [name, t] of ctx.index.constants) {
    const numel = t.dims.reduce((a, b) => a * b, 1);
    if (FLOAT_TYPES.has(t.dataType) && numel > 1 && !ctx.used.has(name)) {
      throw new ConversionError(
        ctx.file,
        `float tensor of shape ${JSON.stringify(t.dims)} is not a weight of a Conv or ` +
          'dense layer (an embedding table? tinycnn takes word vectors as input: export the model without its embedding)',
        { tensor: name },
      );
    }
  }
}

function fail(ctx: LayerContext, node: OnnxNode, message: string): never {
  throw new ConversionError(ctx.file, message, { op: `${node.opType} (node "${node.name || node.outputs[0]}")` });
}
