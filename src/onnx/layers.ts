/**
 * Finds the trainable layers of a Kim / SM graph and reads their weights in
 * PyTorch's layout:
 *   Conv(X, W, B)                      -> weight [out, C_in, k, dim], bias [out]
 *   Gemm(A, W, C), transB=1            -> weight W [out, in] as stored
 *   Gemm(A, W, C), transB=0            -> weight W^T (stored as [in, out])
 *   MatMul(A, W^T) + Add(bias)         -> weight transposed back from [in, out]
 *   MatMul(A, Transpose(W)) + Add      -> weight W as stored (no constant folding)
 * Conv attributes are checked against castorini's wide convolution (stride 1,
 * padding k-1 in time, none across the embedding width), since that is the only
 * convolution tinycnn's forward computes.
 */

import { ConversionError } from './errors.js';
import type { GraphIndex, WeightRef } from './graph.js';
import { describeNode } from './ops.js';
import type { OnnxNode } from './schema.js';
import { readF32, type F32Tensor } from './tensor.js';

/** A tensor in PyTorch layout, still without its state_dict name. */
export interface LayerTensor {
  shape: number[];
  data: Float32Array;
  /** The initializer it was read from (for messages and the report). */
  source: string;
  /** True when it was transposed from the stored [in, out] layout. */
  transposed: boolean;
}

export interface ConvLayer {
  node: OnnxNode;
  weight: LayerTensor;
  bias: LayerTensor;
  /** The activation right after it: 'Relu' (Kim) or 'Tanh' (SM), or what was found. */
  activation: string;
  /** Index of the graph data input it reads (-1 when not traceable). */
  input: number;
}

export interface DenseLayer {
  node: OnnxNode;
  /** [out, in], as nn.Linear stores it. */
  weight: LayerTensor;
  bias: LayerTensor;
}

/** Shared state of one conversion: the graph, the file name, notes to report. */
export interface LayerContext {
  index: GraphIndex;
  file: string;
  notes: string[];
  /** Initializer / Constant names that became state_dict tensors. */
  used: Set<string>;
}

/** All Conv layers, in graph order. */
export function findConvs(ctx: LayerContext): ConvLayer[] {
  return ctx.index.graph.nodes
    .filter((n) => n.opType === 'Conv')
    .map((node) => {
      const op = describeNode(node);
      const weight = load(ctx, ctx.index.weight(node, 1, 'weight'), node);
      if (weight.shape.length !== 4) {
        throw new ConversionError(
          ctx.file,
          `weight has shape ${JSON.stringify(weight.shape)}; Kim / SM use 2-D convolutions (weight [filters, channels, k, dim])`,
          { op },
        );
      }
      const [filters, , k, width] = weight.shape;
      const bias = load(ctx, ctx.index.weight(node, 2, 'bias'), node);
      expectShape(ctx, node, 'bias', bias, [filters]);
      checkConvAttributes(ctx, node, k, width);
      const next = ctx.index.consumersOf(node.outputs[0]);
      const activation = next.length === 1 ? next[0].opType : next.map((n) => n.opType).join('+') || 'nothing';
      return { node, weight, bias, activation, input: ctx.index.sourceInput(node.inputs[0]) };
    });
}

/** All dense (nn.Linear) layers — Gemm, or MatMul followed by a bias Add — in graph order. */
export function findDenses(ctx: LayerContext): DenseLayer[] {
  const out: DenseLayer[] = [];
  for (const node of ctx.index.graph.nodes) {
    if (node.opType === 'Gemm') out.push(gemm(ctx, node));
    else if (node.opType === 'MatMul') out.push(matmul(ctx, node));
  }
  return out;
}

function gemm(ctx: LayerContext, node: OnnxNode): DenseLayer {
  const op = describeNode(node);
  const attr = (name: string) => node.attributes.get(name);
  if ((attr('transA')?.i ?? 0) !== 0) throw new ConversionError(ctx.file, 'transA=1 is not an nn.Linear export', { op });
  for (const name of ['alpha', 'beta']) {
    const v = attr(name)?.f ?? 1;
    if (v !== 1) throw new ConversionError(ctx.file, `${name}=${v} scales the layer; nn.Linear exports have ${name}=1`, { op });
  }
  if (ctx.index.isConstant(node.inputs[0])) {
    throw new ConversionError(ctx.file, 'the first operand is constant; expected data x weight^T', { op });
  }
  const ref = ctx.index.weight(node, 1, 'weight');
  // Stored as [in, out] when exactly one of (transB=0, reached through a Transpose) holds.
  const storedInOut = ((attr('transB')?.i ?? 0) === 0) !== ref.transposed;
  const weight = orient(ctx, ref, node, storedInOut);
  const bias = load(ctx, ctx.index.weight(node, 2, 'bias'), node);
  expectShape(ctx, node, 'bias', bias, [weight.shape[0]]);
  return { node, weight, bias };
}

function matmul(ctx: LayerContext, node: OnnxNode): DenseLayer {
  const op = describeNode(node);
  if (ctx.index.isConstant(node.inputs[0])) {
    throw new ConversionError(ctx.file, 'the first operand is constant; expected data x weight^T', { op });
  }
  const ref = ctx.index.weight(node, 1, 'weight');
  const weight = orient(ctx, ref, node, !ref.transposed); // MatMul multiplies by [in, out]
  const adds = ctx.index.consumersOf(node.outputs[0]);
  const add = adds.length === 1 && adds[0].opType === 'Add' ? adds[0] : undefined;
  if (add === undefined) {
    throw new ConversionError(ctx.file, "MatMul is not followed by a bias Add; castorini's nn.Linear layers have a bias", { op });
  }
  const biasIndex = add.inputs.findIndex((i) => ctx.index.isConstant(i));
  if (biasIndex < 0) throw new ConversionError(ctx.file, 'the Add after MatMul has no constant bias', { op: describeNode(add) });
  const bias = load(ctx, ctx.index.weight(add, biasIndex, 'bias'), add);
  expectShape(ctx, add, 'bias', bias, [weight.shape[0]]);
  return { node, weight, bias };
}

/** Read a 2-D dense weight and return it as [out, in]. */
function orient(ctx: LayerContext, ref: WeightRef, node: OnnxNode, storedInOut: boolean): LayerTensor {
  const t = load(ctx, ref, node);
  if (t.shape.length !== 2) {
    throw new ConversionError(ctx.file, `weight has shape ${JSON.stringify(t.shape)}; nn.Linear weights are 2-D`, { op: describeNode(node) });
  }
  if (!storedInOut) return t;
  const [rows, cols] = t.shape; // [in, out]
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data, source: t.source, transposed: true };
}

function load(ctx: LayerContext, ref: WeightRef, node: OnnxNode): LayerTensor {
  const t: F32Tensor = readF32(ref.tensor, ctx.file);
  if (t.note !== undefined && !ctx.used.has(ref.tensor.name)) ctx.notes.push(t.note);
  ctx.used.add(ref.tensor.name);
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) {
      throw new ConversionError(
        ctx.file,
        `value ${t.data[i]} at flat index ${i} (read by ${describeNode(node)}); the weights are broken — export a trained checkpoint with finite weights`,
        { tensor: ref.tensor.name },
      );
    }
  }
  return { shape: t.shape, data: t.data, source: ref.tensor.name, transposed: false };
}

function expectShape(ctx: LayerContext, node: OnnxNode, role: string, t: LayerTensor, shape: number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ConversionError(ctx.file, `${role} '${t.source}' has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(shape)}`, {
      op: describeNode(node),
    });
  }
}

function checkConvAttributes(ctx: LayerContext, node: OnnxNode, k: number, width: number): void {
  const op = describeNode(node);
  const ints = (name: string, dflt: number[]) => node.attributes.get(name)?.ints ?? dflt;
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const fail = (what: string) => {
    throw new ConversionError(
      ctx.file,
      `${what}; tinycnn computes castorini's wide convolution only ` +
        `(nn.Conv2d(C_in, filters, (k, dim), padding=(k-1, 0)), stride 1, no dilation, no groups)`,
      { op },
    );
  };
  const autoPad = node.attributes.get('auto_pad')?.s ?? 'NOTSET';
  if (autoPad !== 'NOTSET' && autoPad !== '') fail(`auto_pad=${autoPad}`);
  if ((node.attributes.get('group')?.i ?? 1) !== 1) fail(`group=${node.attributes.get('group')?.i}`);
  if (!same(ints('strides', [1, 1]), [1, 1])) fail(`strides ${JSON.stringify(ints('strides', []))}`);
  if (!same(ints('dilations', [1, 1]), [1, 1])) fail(`dilations ${JSON.stringify(ints('dilations', []))}`);
  const kernel = ints('kernel_shape', [k, width]);
  if (!same(kernel, [k, width])) fail(`kernel_shape ${JSON.stringify(kernel)} does not match the weight`);
  const pads = ints('pads', [0, 0, 0, 0]);
  if (!same(pads, [k - 1, 0, k - 1, 0])) fail(`pads ${JSON.stringify(pads)} (expected [${k - 1},0,${k - 1},0] for k=${k})`);
}
