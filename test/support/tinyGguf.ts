// Writes a tiny llama-architecture GGUF (random weights, a SentencePiece vocabulary with byte
// fallback) so the local backend can be tested without downloading a model.
import { writeFileSync } from 'node:fs';

const enum GgufType {
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  STRING = 8,
  ARRAY = 9,
}

class Writer {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(alignment: number) {
    const n = (alignment - (this.length % alignment)) % alignment;
    if (n) this.push(Buffer.alloc(n));
  }
  buffer() {
    return Buffer.concat(this.chunks);
  }
}

/** A deterministic pseudo-random generator, so the same file comes out every time. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const WORDS = [
  'the',
  'of',
  'and',
  'to',
  'in',
  'is',
  'that',
  'for',
  'it',
  'as',
  'with',
  'on',
  'function',
  'return',
  'const',
  'import',
  'export',
  'class',
  'if',
  'else',
  'secret',
  'code',
  'service',
  'billing',
  'name',
  'what',
  'where',
  'how',
  'does',
  'file',
];

export interface TinyModel {
  path: string;
  vocabularySize: number;
}

export function writeTinyGguf(path: string, options: { embedding?: number; layers?: number; seed?: number; contextLength?: number } = {}): TinyModel {
  const nEmbd = options.embedding ?? 64;
  const nLayer = options.layers ?? 2;
  const nHead = 4;
  const nFf = nEmbd * 2;
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  const pieces = ['▁', ...'abcdefghijklmnopqrstuvwxyz'.split(''), ...WORDS.map((w) => `▁${w}`), ...WORDS];
  for (const p of [...new Set(pieces)]) {
    tokens.push(p);
    types.push(1);
  }
  const scores = tokens.map((t, i) => (types[i] === 1 ? -i / 10 + (t.length > 2 ? t.length : 0) : 0));
  const nVocab = tokens.length;

  const rand = random(options.seed ?? 42);
  const tensors: { name: string; dims: number[] }[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab] },
    { name: 'output_norm.weight', dims: [nEmbd] },
    { name: 'output.weight', dims: [nEmbd, nVocab] },
  ];
  for (let l = 0; l < nLayer; l++) {
    tensors.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [nEmbd] },
      { name: `blk.${l}.attn_q.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${l}.attn_k.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${l}.attn_v.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${l}.attn_output.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${l}.ffn_norm.weight`, dims: [nEmbd] },
      { name: `blk.${l}.ffn_gate.weight`, dims: [nEmbd, nFf] },
      { name: `blk.${l}.ffn_up.weight`, dims: [nEmbd, nFf] },
      { name: `blk.${l}.ffn_down.weight`, dims: [nFf, nEmbd] },
    );
  }

  const w = new Writer();
  const kv: [string, (w: Writer) => void][] = [
    ['general.architecture', (x) => (x.u32(GgufType.STRING), x.str('llama'))],
    ['general.name', (x) => (x.u32(GgufType.STRING), x.str('xl3m-tiny-test'))],
    ['general.alignment', (x) => (x.u32(GgufType.UINT32), x.u32(32))],
    ['llama.context_length', (x) => (x.u32(GgufType.UINT32), x.u32(options.contextLength ?? 2048))],
    ['llama.embedding_length', (x) => (x.u32(GgufType.UINT32), x.u32(nEmbd))],
    ['llama.block_count', (x) => (x.u32(GgufType.UINT32), x.u32(nLayer))],
    ['llama.feed_forward_length', (x) => (x.u32(GgufType.UINT32), x.u32(nFf))],
    ['llama.attention.head_count', (x) => (x.u32(GgufType.UINT32), x.u32(nHead))],
    ['llama.attention.head_count_kv', (x) => (x.u32(GgufType.UINT32), x.u32(nHead))],
    ['llama.rope.dimension_count', (x) => (x.u32(GgufType.UINT32), x.u32(nEmbd / nHead))],
    ['llama.attention.layer_norm_rms_epsilon', (x) => (x.u32(GgufType.FLOAT32), x.f32(1e-5))],
    ['tokenizer.ggml.model', (x) => (x.u32(GgufType.STRING), x.str('llama'))],
    ['tokenizer.ggml.tokens', (x) => (x.u32(GgufType.ARRAY), x.u32(GgufType.STRING), x.u64(nVocab), tokens.forEach((t) => x.str(t)))],
    ['tokenizer.ggml.scores', (x) => (x.u32(GgufType.ARRAY), x.u32(GgufType.FLOAT32), x.u64(nVocab), scores.forEach((s) => x.f32(s)))],
    ['tokenizer.ggml.token_type', (x) => (x.u32(GgufType.ARRAY), x.u32(GgufType.INT32), x.u64(nVocab), types.forEach((t) => x.i32(t)))],
    ['tokenizer.ggml.unknown_token_id', (x) => (x.u32(GgufType.UINT32), x.u32(0))],
    ['tokenizer.ggml.bos_token_id', (x) => (x.u32(GgufType.UINT32), x.u32(1))],
    ['tokenizer.ggml.eos_token_id', (x) => (x.u32(GgufType.UINT32), x.u32(2))],
    ['tokenizer.ggml.add_bos_token', (x) => (x.u32(7), x.push(Buffer.from([1])))],
  ];
  w.push(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kv.length);
  for (const [key, write] of kv) {
    w.str(key);
    write(w);
  }
  let offset = 0;
  const sizes = tensors.map((t) => t.dims.reduce((a, b) => a * b, 1) * 4);
  tensors.forEach((t, i) => {
    w.str(t.name);
    w.u32(t.dims.length);
    t.dims.forEach((d) => w.u64(d));
    w.u32(0); // F32
    w.u64(offset);
    offset += Math.ceil(sizes[i]! / 32) * 32;
  });
  w.pad(32);
  tensors.forEach((t, i) => {
    const n = sizes[i]! / 4;
    const data = Buffer.alloc(Math.ceil(sizes[i]! / 32) * 32);
    const isNorm = t.name.endsWith('norm.weight');
    const scale = 1 / Math.sqrt(t.dims[0]!);
    for (let j = 0; j < n; j++) data.writeFloatLE(isNorm ? 1 : rand() * 2 * scale * 2, j * 4);
    w.push(data);
  });
  writeFileSync(path, w.buffer());
  return { path, vocabularySize: nVocab };
}
