/**
 * 64-bit structural fingerprints of plain states (records, arrays, numbers,
 * strings, booleans, null), computed by walking the value: no JSON.stringify on
 * the hot path. Two murmur3-style lanes with different constants give the two
 * 32-bit halves.
 *
 * Field names are not hashed, only the values in order and each record's field
 * count: the states of one model share one shape. (Memoising sub-object hashes
 * by identity was measured slower: the WeakMap costs more than the walk. A
 * walk generated for the model's shape, fields read by name, was measured
 * only 17% faster, 0.72 against 0.87 µs a state: the mixing dominates.)
 */

const TAG_NULL = 0x6e756c6c;
const TAG_FALSE = 0x66616c73;
const TAG_TRUE = 0x74727565;
const TAG_ARRAY = 0x61727279;
const TAG_OBJECT = 0x6f626a65;
const TAG_FLOAT = 0x666c6f61;
const TAG_UNDEFINED = 0x756e6466;

function mixA(h: number, v: number): number {
  let k = Math.imul(v, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixB(h: number, v: number): number {
  let k = Math.imul(v ^ 0x9e3779b9, 0x85ebca6b);
  k = (k << 17) | (k >>> 15);
  h ^= Math.imul(k, 0xc2b2ae35);
  h = (h << 11) | (h >>> 21);
  return (Math.imul(h, 5) + 0x561ccd1b) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const floatView = new Float64Array(1);
const floatWords = new Int32Array(floatView.buffer);

/** Strings (labels, mostly) repeat: hash each one once. */
const stringHashes = new Map<string, number>();

function stringHash(s: string): number {
  let h = stringHashes.get(s);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = fmix(h ^ s.length) | 0;
    if (stringHashes.size < 100_000) stringHashes.set(s, h);
  }
  return h;
}

/** Hash of a primitive as one 32-bit word. */
function primitive(v: unknown): number {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) return v;
      floatView[0] = v;
      return mixA(mixA(TAG_FLOAT, floatWords[0]!), floatWords[1]!);
    case 'boolean':
      return v ? TAG_TRUE : TAG_FALSE;
    case 'string':
      return stringHash(v);
    case 'undefined':
      return TAG_UNDEFINED;
    default:
      throw new TypeError(`fingerprint: a state may hold only plain data, not a ${typeof v}`);
  }
}

let a = 0;
let b = 0;

function fold(w: number): void {
  a = mixA(a, w);
  b = mixB(b, w);
}

function walk(v: unknown): void {
  if (v === null) return fold(TAG_NULL);
  if (typeof v !== 'object') return fold(primitive(v));
  if (Array.isArray(v)) {
    fold(TAG_ARRAY ^ v.length);
    for (let i = 0; i < v.length; i++) walk(v[i]);
    return;
  }
  const r = v as Record<string, unknown>;
  let n = 0;
  for (const k in r) {
    walk(r[k]);
    n++;
  }
  fold(TAG_OBJECT ^ n);
}

/** The fingerprint as two unsigned 32-bit halves [hi, lo]. */
export function fingerprint(value: unknown): readonly [number, number] {
  a = 0x2545f491;
  b = 0x9e3779b9 | 0;
  walk(value);
  return [fmix(a ^ b), fmix((b + Math.imul(a, 0x27d4eb2d)) | 0)];
}

/** The fingerprint as 16 hex digits, for files and messages. */
export function fingerprintHex(value: unknown): string {
  const [a, b] = fingerprint(value);
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
