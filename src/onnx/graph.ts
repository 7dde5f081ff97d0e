/**
 * A read-only index over an ONNX graph: who produces and who consumes each value,
 * which values are constants (initializers or Constant nodes), and two walks the
 * layer finder needs — from a node input back to the stored weight it comes from
 * (through Identity / Transpose), and from a data input back to the graph input.
 */

import { ConversionError } from './errors.js';
import { describeNode } from './ops.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './schema.js';

/** A weight as found behind a node input. */
export interface WeightRef {
  /** The stored tensor (initializer or Constant value). */
  tensor: OnnxTensor;
  /** True when it reaches the node through a 2-D Transpose (so its stored layout is flipped). */
  transposed: boolean;
}

export class GraphIndex {
  /** Value name -> the node producing it. */
  readonly producer = new Map<string, OnnxNode>();
  /** Value name -> nodes reading it. */
  readonly consumers = new Map<string, OnnxNode[]>();
  /** Value name -> constant tensor (initializers, then Constant node values). */
  readonly constants = new Map<string, OnnxTensor>();
  /** Graph inputs that are real data (not initializers listed as inputs), in order. */
  readonly dataInputs: string[];
  /** Graph inputs with no initializer behind them. */
  private readonly inputNames: Set<string>;

  /**
   * @param graph  the decoded graph
   * @param file   the ONNX file, for error messages
   */
  constructor(
    readonly graph: OnnxGraph,
    private readonly file: string,
  ) {
    for (const t of graph.initializers) this.constants.set(t.name, t);
    for (const node of graph.nodes) {
      for (const out of node.outputs) if (out !== '') this.producer.set(out, node);
      for (const inp of node.inputs) {
        if (inp === '') continue;
        const list = this.consumers.get(inp);
        if (list) list.push(node);
        else this.consumers.set(inp, [node]);
      }
      const value = node.opType === 'Constant' ? node.attributes.get('value')?.t : undefined;
      if (value !== undefined && node.outputs[0]) this.constants.set(node.outputs[0], { ...value, name: node.outputs[0] });
    }
    this.dataInputs = graph.inputs.map((i) => i.name).filter((n) => !this.constants.has(n));
    this.inputNames = new Set(this.dataInputs);
  }

  /** Nodes reading `value`, looking through Identity nodes. */
  consumersOf(value: string): OnnxNode[] {
    const out: OnnxNode[] = [];
    for (const node of this.consumers.get(value) ?? []) {
      if (node.opType === 'Identity') out.push(...this.consumersOf(node.outputs[0]));
      else out.push(node);
    }
    return out;
  }

  /** Whether `value` is (or is computed only from) constants. */
  isConstant(value: string): boolean {
    return this.findWeight(value) !== undefined;
  }

  /** The stored weight behind `value`, or undefined when `value` is computed from data. */
  findWeight(value: string): WeightRef | undefined {
    let transposed = false;
    for (let hops = 0; hops < 16; hops++) {
      const t = this.constants.get(value);
      if (t !== undefined) return { tensor: t, transposed };
      const node = this.producer.get(value);
      if (node === undefined) return undefined;
      if (node.opType === 'Transpose') {
        const perm = node.attributes.get('perm')?.ints ?? [1, 0];
        if (perm.length !== 2 || perm[0] !== 1 || perm[1] !== 0) return undefined;
        transposed = !transposed;
      } else if (node.opType !== 'Identity') {
        return undefined;
      }
      value = node.inputs[0];
    }
    return undefined;
  }

  /**
   * The weight a layer reads at input `index`, required.
   * @param node   the layer node (Conv, Gemm, MatMul, Add)
   * @param index  which input
   * @param role   'weight' | 'bias', for the message
   * @throws ConversionError when it is missing, not stored in the file, or not float
   */
  weight(node: OnnxNode, index: number, role: string): WeightRef {
    const value = node.inputs[index];
    const op = describeNode(node);
    if (value === undefined || value === '') {
      throw new ConversionError(this.file, `has no ${role} input; castorini's layers all have one`, { op });
    }
    const ref = this.findWeight(value);
    if (ref !== undefined) return ref;
    if (this.inputNames.has(value)) {
      throw new ConversionError(
        this.file,
        `${role} '${value}' is a graph input with no initializer: the file holds no ` +
          'weights (exported with export_params=False?) — export again with export_params=True',
        { op },
      );
    }
    throw new ConversionError(this.file, `${role} '${value}' is computed in the graph, not stored; tinycnn expects the weights as initializers`, { op });
  }

  /**
   * Index in `dataInputs` of the graph input that `value` is computed from, following
   * single-data-input ops (Unsqueeze, Reshape, Cast, Identity, ...); -1 when unknown.
   */
  sourceInput(value: string): number {
    for (let hops = 0; hops < 32; hops++) {
      const direct = this.dataInputs.indexOf(value);
      if (direct >= 0) return direct;
      const node = this.producer.get(value);
      if (node === undefined) return -1;
      const data = node.inputs.filter((i) => i !== '' && !this.isConstant(i));
      if (data.length !== 1) return -1;
      value = data[0];
    }
    return -1;
  }
}
