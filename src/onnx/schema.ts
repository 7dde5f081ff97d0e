/**
 * The subset of the ONNX protobuf schema that the converter reads, written by hand
 * from the ONNX IR specification (field numbers as in the spec; fields we never
 * look at are left out and skipped by the decoder as unknown fields). Messages the
 * converter only needs to *refuse* (subgraphs, sparse tensors, segments) are
 * declared as `bytes`, which shares the length-delimited wire type.
 *
 * Decoding yields plain typed objects (`OnnxModel`), so nothing past this file
 * touches protobufjs or its Long values.
 */

import protobuf from 'protobufjs';
import { ConversionError } from './errors.js';

/** Hand-written ONNX subset, proto2 like the spec (hence the explicit `packed`). */
export const ONNX_SUBSET_PROTO = `
syntax = "proto2";
package onnx;

message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated bytes sparse_initializer = 15;  // SparseTensorProto: refused, never read
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}

message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional bytes g = 6;                     // GraphProto: subgraphs are refused
  repeated float floats = 7 [packed = true];
  repeated int64 ints = 8 [packed = true];
  optional int32 type = 20;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message TensorProto {
  repeated int64 dims = 1 [packed = true];
  optional int32 data_type = 2;
  optional bytes segment = 3;               // Segment: chunked tensors are refused
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  repeated double double_data = 10 [packed = true];
  repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}

message TypeProto {
  optional TypeProtoTensor tensor_type = 1;
}

message TypeProtoTensor {
  optional int32 elem_type = 1;
  optional TensorShapeProto shape = 2;
}

message TensorShapeProto {
  repeated TensorShapeDimension dim = 1;
}

message TensorShapeDimension {
  optional int64 dim_value = 1;
  optional string dim_param = 2;
}
`;

/** TensorProto.DataType values (ONNX spec), by number. */
export const ONNX_DTYPES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
};

/** One TensorProto (an initializer, or a Constant node's value), fields as stored. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** TensorProto.DataType number, see ONNX_DTYPES. */
  dataType: number;
  /** raw_data when present (little-endian, fixed width), else undefined. */
  rawData: Uint8Array | undefined;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  /** True when data_location is EXTERNAL or external_data entries are present. */
  external: boolean;
  /** The external_data 'location' entry, for the message. */
  externalLocation: string | undefined;
  /** True when the tensor is one segment of a chunked tensor. */
  segmented: boolean;
}

/** One node attribute; only the kinds Kim/SM graphs use are decoded. */
export interface OnnxAttribute {
  name: string;
  /** AttributeProto.AttributeType number (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, ...). */
  type: number;
  f: number;
  i: number;
  /** The STRING value, UTF-8 decoded ('' when absent). */
  s: string;
  ints: number[];
  t: OnnxTensor | undefined;
  /** True when the attribute holds a subgraph (If / Loop / Scan bodies). */
  hasGraph: boolean;
}

export interface OnnxNode {
  name: string;
  opType: string;
  /** '' (or 'ai.onnx') for standard ops. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** Static dims as numbers, symbolic dims (e.g. 'batch') as strings, unknown as null. */
  shape: (number | string | null)[] | undefined;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  sparseInitializers: number;
}

export interface OnnxModel {
  irVersion: number;
  producer: string;
  /** Opset version by domain ('' = the standard ai.onnx domain). */
  opsets: Map<string, number>;
  graph: OnnxGraph;
}

let modelType: protobuf.Type | undefined;

/** The ModelProto type, parsed from the subset once per process. */
export function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/**
 * Decode an ONNX ModelProto.
 * @param bytes  the whole .onnx file
 * @param file   its name, for error messages
 * @throws ConversionError ('ONNX_INVALID') when the bytes are not a complete ONNX model
 */
export function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  let msg: Msg;
  try {
    msg = modelProtoType().decode(bytes) as unknown as Msg;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ConversionError(
      file,
      `not a complete ONNX model (protobuf decoding failed: ${why}); the file is truncated or not an .onnx file — export it again`,
      {},
      'ONNX_INVALID',
    );
  }
  const graph = sub(msg, 'graph');
  const opsetList = (msg['opset_import'] as Msg[] | undefined) ?? [];
  if (graph === undefined || opsetList.length === 0 || num(msg['ir_version']) <= 0) {
    throw new ConversionError(
      file,
      'not a complete ONNX model (no graph, opset_import or ir_version); ' + 'the file is truncated or not an .onnx file — export it again',
      {},
      'ONNX_INVALID',
    );
  }
  const opsets = new Map<string, number>();
  for (const o of opsetList) opsets.set(str(o['domain']), num(o['version']));
  return {
    irVersion: num(msg['ir_version']),
    producer: `${str(msg['producer_name'])} ${str(msg['producer_version'])}`.trim(),
    opsets,
    graph: {
      nodes: list(graph['node']).map(toNode),
      initializers: list(graph['initializer']).map(toTensor),
      inputs: list(graph['input']).map(toValueInfo),
      outputs: list(graph['output']).map(toValueInfo),
      sparseInitializers: list(graph['sparse_initializer']).length,
    },
  };
}

/** A decoded protobufjs message, seen as a bag of fields. */
type Msg = Record<string, unknown>;

const utf8 = new TextDecoder();

/** An embedded message field, or undefined when absent (protobufjs leaves absent ones null). */
function sub(m: Msg, field: string): Msg | undefined {
  const v = m[field];
  return v === null || v === undefined ? undefined : (v as Msg);
}

function list(v: unknown): Msg[] {
  return (v as Msg[] | undefined) ?? [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** int64 fields decode to Long (the `long` package is present) or number. */
function num(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const long = v as { toNumber(): number };
  return long.toNumber();
}

function nums(v: unknown): number[] {
  return ((v as unknown[] | undefined) ?? []).map(num);
}

function has(m: Msg, field: string): boolean {
  return Object.hasOwn(m, field);
}

function toTensor(m: Msg): OnnxTensor {
  const ext = list(m['external_data']);
  const location = ext.find((e) => e['key'] === 'location');
  return {
    name: str(m['name']),
    dims: nums(m['dims']),
    dataType: num(m['data_type']),
    rawData: has(m, 'raw_data') ? (m['raw_data'] as Uint8Array) : undefined,
    floatData: (m['float_data'] as number[] | undefined) ?? [],
    int32Data: (m['int32_data'] as number[] | undefined) ?? [],
    int64Data: nums(m['int64_data']),
    doubleData: (m['double_data'] as number[] | undefined) ?? [],
    external: num(m['data_location']) === 1 || ext.length > 0,
    externalLocation: location === undefined ? undefined : str(location['value']),
    segmented: has(m, 'segment'),
  };
}

function toNode(m: Msg): OnnxNode {
  const attributes = new Map<string, OnnxAttribute>();
  for (const a of list(m['attribute'])) {
    attributes.set(str(a['name']), {
      name: str(a['name']),
      type: num(a['type']),
      f: num(a['f']),
      i: num(a['i']),
      s: has(a, 's') ? utf8.decode(a['s'] as Uint8Array) : '',
      ints: nums(a['ints']),
      t: sub(a, 't') && toTensor(sub(a, 't')!),
      hasGraph: has(a, 'g'),
    });
  }
  return {
    name: str(m['name']),
    opType: str(m['op_type']),
    domain: str(m['domain']),
    inputs: (m['input'] as string[] | undefined) ?? [],
    outputs: (m['output'] as string[] | undefined) ?? [],
    attributes,
  };
}

function toValueInfo(m: Msg): OnnxValueInfo {
  const type = sub(m, 'type');
  const tensorType = type && sub(type, 'tensor_type');
  const shape = tensorType && sub(tensorType, 'shape');
  return {
    name: str(m['name']),
    shape:
      shape === undefined
        ? undefined
        : list(shape['dim']).map((d) => (has(d, 'dim_value') ? num(d['dim_value']) : has(d, 'dim_param') ? str(d['dim_param']) : null)),
  };
}
