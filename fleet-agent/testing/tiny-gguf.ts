// Writes a tiny, valid GGUF v3 file: a llama architecture with a SentencePiece-style vocabulary
// and random f32 weights. It loads in milliseconds in real llama.cpp (node-llama-cpp), so the
// llamacpp engine is tested end to end without downloading a model. The answers are gibberish
// by construction; the tests only need real tokenisation, evaluation and sampling.
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../../lib/mulberry32.js';

const GGUF_ALIGNMENT = 32;
enum ValueType {
  UINT32 = 4,
  FLOAT32 = 6,
  STRING = 8,
  ARRAY = 9,
  INT32 = 5,
}
const GGML_TYPE_F32 = 0;
// llama.cpp token types (llama_token_type): NORMAL=1, UNKNOWN=2, CONTROL=3, BYTE=6.
const TOKEN_NORMAL = 1,
  TOKEN_UNKNOWN = 2,
  TOKEN_CONTROL = 3,
  TOKEN_BYTE = 6;

export interface TinyModelShape {
  embedding: number;
  layers: number;
  heads: number;
  feedForward: number;
  contextLength: number;
  seed: number;
}

const DEFAULT_SHAPE: TinyModelShape = { embedding: 64, layers: 2, heads: 4, feedForward: 128, contextLength: 512, seed: 7 };

type Scalar = { type: ValueType.UINT32 | ValueType.FLOAT32 | ValueType.INT32; value: number } | { type: ValueType.STRING; value: string };
type Meta = Scalar | { type: ValueType.ARRAY; of: ValueType.STRING | ValueType.FLOAT32 | ValueType.INT32; values: (string | number)[] };

/** Byte-level writer that grows as needed (the file is < 1 MB). */
class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  length = 0;
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.length);
    this.length += 4;
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(b);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.bytes(new Uint8Array(n));
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeScalar(w: ByteWriter, type: ValueType, value: string | number): void {
  if (type === ValueType.STRING) w.str(value as string);
  else if (type === ValueType.UINT32) w.u32(value as number);
  else if (type === ValueType.INT32) w.i32(value as number);
  else w.f32(value as number);
}

/** Vocabulary: unk/bos/eos, the 256 byte-fallback tokens llama.cpp's SPM tokenizer requires, then words. */
function vocabulary(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TOKEN_BYTE);
  }
  const words = [
    '▁',
    ...'abcdefghijklmnopqrstuvwxyz'.split(''),
    ...'the a of to and is in it you that hello world model token fleet agent spot gpu'.split(' ').map((x) => `▁${x}`),
  ];
  for (const word of words) {
    tokens.push(word);
    types.push(TOKEN_NORMAL);
  }
  const scores = tokens.map((_, i) => (types[i] === TOKEN_NORMAL ? -i / 100 : 0));
  return { tokens, scores, types };
}

/** Mulberry32: a tiny deterministic PRNG, so every test writes the same weights. */
const prng = mulberry32;

/** Builds the GGUF bytes in memory. */
export function tinyLlamaGguf(shape: Partial<TinyModelShape> = {}): Buffer {
  const s = { ...DEFAULT_SHAPE, ...shape };
  const vocab = vocabulary();
  const nVocab = vocab.tokens.length;
  const meta: [string, Meta][] = [
    ['general.architecture', { type: ValueType.STRING, value: 'llama' }],
    ['general.name', { type: ValueType.STRING, value: 'gpuarb-tiny-random' }],
    ['general.alignment', { type: ValueType.UINT32, value: GGUF_ALIGNMENT }],
    ['llama.context_length', { type: ValueType.UINT32, value: s.contextLength }],
    ['llama.embedding_length', { type: ValueType.UINT32, value: s.embedding }],
    ['llama.block_count', { type: ValueType.UINT32, value: s.layers }],
    ['llama.feed_forward_length', { type: ValueType.UINT32, value: s.feedForward }],
    ['llama.attention.head_count', { type: ValueType.UINT32, value: s.heads }],
    ['llama.attention.head_count_kv', { type: ValueType.UINT32, value: s.heads }],
    ['llama.rope.dimension_count', { type: ValueType.UINT32, value: s.embedding / s.heads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: ValueType.FLOAT32, value: 1e-5 }],
    ['tokenizer.ggml.model', { type: ValueType.STRING, value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: ValueType.ARRAY, of: ValueType.STRING, values: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: ValueType.ARRAY, of: ValueType.FLOAT32, values: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: ValueType.ARRAY, of: ValueType.INT32, values: vocab.types }],
    ['tokenizer.ggml.bos_token_id', { type: ValueType.UINT32, value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: ValueType.UINT32, value: 2 }],
    ['tokenizer.ggml.unknown_token_id', { type: ValueType.UINT32, value: 0 }],
  ];
  // ggml dimension order: ne0 (the contiguous one) first.
  const tensors: { name: string; dims: number[]; init: 'one' | 'random' }[] = [
    { name: 'token_embd.weight', dims: [s.embedding, nVocab], init: 'random' },
    { name: 'output_norm.weight', dims: [s.embedding], init: 'one' },
    { name: 'output.weight', dims: [s.embedding, nVocab], init: 'random' },
  ];
  for (let i = 0; i < s.layers; i++) {
    const p = `blk.${i}.`;
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [s.embedding], init: 'one' },
      { name: `${p}attn_q.weight`, dims: [s.embedding, s.embedding], init: 'random' },
      { name: `${p}attn_k.weight`, dims: [s.embedding, s.embedding], init: 'random' },
      { name: `${p}attn_v.weight`, dims: [s.embedding, s.embedding], init: 'random' },
      { name: `${p}attn_output.weight`, dims: [s.embedding, s.embedding], init: 'random' },
      { name: `${p}ffn_norm.weight`, dims: [s.embedding], init: 'one' },
      { name: `${p}ffn_gate.weight`, dims: [s.embedding, s.feedForward], init: 'random' },
      { name: `${p}ffn_down.weight`, dims: [s.feedForward, s.embedding], init: 'random' },
      { name: `${p}ffn_up.weight`, dims: [s.embedding, s.feedForward], init: 'random' },
    );
  }
  const w = new ByteWriter();
  w.bytes(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(meta.length);
  for (const [key, m] of meta) {
    w.str(key);
    w.u32(m.type);
    if (m.type === ValueType.ARRAY) {
      w.u32(m.of);
      w.u64(m.values.length);
      for (const v of m.values) writeScalar(w, m.of, v);
    } else writeScalar(w, m.type, m.value);
  }
  let offset = 0;
  const sizes = tensors.map((t) => t.dims.reduce((a, b) => a * b, 1) * 4);
  tensors.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE_F32);
    w.u64(offset);
    offset += Math.ceil(sizes[i] / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
  });
  w.pad(GGUF_ALIGNMENT);
  const random = prng(s.seed);
  tensors.forEach((t, i) => {
    const values = new Float32Array(sizes[i] / 4);
    for (let j = 0; j < values.length; j++) values[j] = t.init === 'one' ? 1 : (random() - 0.5) * 0.2;
    w.bytes(new Uint8Array(values.buffer));
    w.pad(GGUF_ALIGNMENT);
  });
  return w.result();
}

/** Writes the tiny model to `path` and returns the path. */
export function writeTinyLlamaGguf(path: string, shape: Partial<TinyModelShape> = {}): string {
  writeFileSync(path, tinyLlamaGguf(shape));
  return path;
}
