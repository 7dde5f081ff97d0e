/**
 * The closed list of ONNX ops a Kim CNN / SM CNN export may contain. Anything else
 * means the graph computes something tinycnn's forward pass would not, so it is
 * refused, naming the op and node, before any weight is read.
 *
 * What torch.onnx.export (PyTorch 1.13, opsets 9-17) produces for the reference
 * modules with the torch.amax recipe: Conv, Relu / Tanh, Constant, Squeeze,
 * Unsqueeze, ReduceMax, Concat, Gemm (transB=1); MatMul + Add (+ Transpose without
 * constant folding) when a Linear sees a 3-D input; Dropout in training mode.
 * Also accepted: shape plumbing that a `.view(...)` / `.max(dim)` forward adds
 * (Identity, Reshape, Flatten, Shape, Gather, Cast, Slice, ArgMax).
 */

import { ConversionError } from './errors.js';
import type { OnnxModel, OnnxNode } from './schema.js';

/** Ops accepted in a graph, by op_type (standard ai.onnx domain only). */
export const ALLOWED_OPS: ReadonlySet<string> = new Set([
  // layers and activations
  'Conv',
  'Relu',
  'Tanh',
  'Gemm',
  'MatMul',
  'Add',
  'Transpose',
  // max over time and feature concatenation
  'ReduceMax',
  'ArgMax',
  'Concat',
  // inference no-ops and shape plumbing
  'Dropout',
  'Identity',
  'Constant',
  'Squeeze',
  'Unsqueeze',
  'Reshape',
  'Flatten',
  'Shape',
  'Gather',
  'Cast',
  'Slice',
]);

/** Extra advice for ops people are likely to meet. */
const HINTS: Readonly<Record<string, string>> = {
  MaxPool:
    "castorini's F.max_pool1d(x, x.size(2)) bakes one sentence length into the graph (or does not trace); " +
    'export with a forward that uses torch.amax(x, dim=2) instead',
  GlobalMaxPool: 'export with a forward that uses torch.amax(x, dim=2) for the max over time',
  BatchNormalization: "castorini's Kim CNN and SM CNN have no batch norm",
  DequantizeLinear: 'quantized models cannot be converted: export the float32 model',
  QuantizeLinear: 'quantized models cannot be converted: export the float32 model',
  QLinearConv: 'quantized models cannot be converted: export the float32 model',
  ConvInteger: 'quantized models cannot be converted: export the float32 model',
  LSTM: 'only Kim CNN and SM CNN are supported',
  GRU: 'only Kim CNN and SM CNN are supported',
};

/** 'Conv (node "/conv1/Conv")', for messages. */
export function describeNode(node: OnnxNode): string {
  const id = node.name || node.outputs[0] || '?';
  return `${node.opType || '<no op_type>'} (node "${id}")`;
}

/**
 * Refuse graphs that tinycnn cannot represent: ops outside ALLOWED_OPS, custom
 * domains, subgraphs, sparse initializers.
 * @param model  the decoded model
 * @param file   the ONNX file, for error messages
 * @throws ConversionError naming the first offending op
 */
export function checkOps(model: OnnxModel, file: string): void {
  const g = model.graph;
  if (g.sparseInitializers > 0) {
    throw new ConversionError(file, `the graph has ${g.sparseInitializers} sparse initializer(s); tinycnn reads dense float32 weights only`);
  }
  for (const node of g.nodes) {
    const op = describeNode(node);
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      throw new ConversionError(file, `op from custom domain '${node.domain}' is not supported; tinycnn converts plain ONNX exports of Kim CNN and SM CNN`, {
        op,
      });
    }
    if (!ALLOWED_OPS.has(node.opType)) {
      const hint = HINTS[node.opType];
      throw new ConversionError(
        file,
        `op ${node.opType} is not part of a Kim CNN / SM CNN graph${hint ? ` (${hint})` : ''}; ` + `supported ops: ${[...ALLOWED_OPS].join(', ')}`,
        { op },
      );
    }
    for (const a of node.attributes.values()) {
      if (a.hasGraph) throw new ConversionError(file, `attribute '${a.name}' holds a subgraph, which tinycnn does not support`, { op });
    }
  }
}
