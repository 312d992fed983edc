// A small ONNX writer for the face models Shoebox converts on first use (face-convert.ts): the graph's nodes,
// weights and value types encoded as ONNX's protobuf messages (onnx/onnx.proto, IR version 8, opset 17).
//
// Written here rather than taken from onnx-proto (which the test fixtures use): that package is 23 MB with a
// second protobufjs, for the few messages and fields below, and the app needs it at run time to convert. The
// encoding is deterministic (fields in number order, tensors as raw little-endian bytes), so the same weights
// always give the same file and its sha256 can be pinned in the registry. test/core/face-models.test.ts reads
// the files back with onnx-proto and runs them on onnxruntime-node.

/** ONNX tensor element types used here (onnx.TensorProto.DataType). */
const FLOAT = 1;
const INT64 = 7;

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) byte |= 0x80;
      out.push(byte);
    } while (n !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** An attribute value: an int, a float ({ f }), a list of ints, or a string. */
export type Attr = number | { f: number } | number[] | string;

function attribute(name: string, v: Attr): Writer {
  // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
  const w = new Writer().string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (give floats as { f })`);
    return w.int(3, v).int(20, 2);
  }
  if (typeof v === 'string') return w.string(4, v).int(20, 3);
  if (Array.isArray(v)) {
    for (const i of v) w.int(8, i);
    return w.int(20, 7);
  }
  return w.float(2, v.f).int(20, 1);
}

function tensorProto(name: string, data: Float32Array | BigInt64Array, dims: readonly number[]): Writer {
  // TensorProto: dims 1, data_type 2, name 8, raw_data 9.
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, data instanceof Float32Array ? FLOAT : INT64).string(8, name);
  return w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function valueInfo(name: string, dims: ReadonlyArray<number | string>): Writer {
  // ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 → dim 1 (dim_value 1, dim_param 2).
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, FLOAT).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

/** One graph under construction: float inputs and outputs, nodes in order, weights as initializers. */
export class OnnxGraph {
  private readonly nodes: Writer[] = [];
  private readonly weights: Writer[] = [];
  private readonly inputs: Writer[] = [];
  private readonly outputs: Writer[] = [];
  private count = 0;

  constructor(readonly name: string) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.count++}`;
  }

  input(name: string, dims: ReadonlyArray<number | string>): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: ReadonlyArray<number | string>): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float weight or constant. */
  weight(prefix: string, data: Float32Array, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`${prefix}: ${data.length} values for dims [${dims.join(',')}]`);
    const name = this.fresh(prefix);
    this.weights.push(tensorProto(name, data, dims));
    return name;
  }

  /** An int64 constant (shapes, axes, pads). */
  ints(values: readonly number[]): string {
    const name = this.fresh('i64');
    this.weights.push(tensorProto(name, BigInt64Array.from(values, (v) => BigInt(v)), [values.length]));
    return name;
  }

  /** A node with one output (named `output`, or a fresh name); returns the output's name. */
  op(type: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? this.fresh(type.toLowerCase());
    // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
    const w = new Writer();
    for (const i of inputs) w.string(1, i);
    w.string(2, out).string(3, this.fresh(`${type}_node`)).string(4, type);
    for (const [k, v] of Object.entries(attrs)) w.message(5, attribute(k, v));
    this.nodes.push(w);
    return out;
  }

  /** The encoded ModelProto. */
  encode(doc: string): Uint8Array {
    // GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12.
    const graph = new Writer();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, this.name);
    for (const t of this.weights) graph.message(5, t);
    for (const i of this.inputs) graph.message(11, i);
    for (const o of this.outputs) graph.message(12, o);
    // ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8 (domain 1, version 2).
    return new Writer()
      .int(1, 8)
      .string(2, 'shoebox')
      .string(3, '1')
      .string(6, doc)
      .message(7, graph)
      .message(8, new Writer().string(1, '').int(2, 17))
      .finish();
  }
}
