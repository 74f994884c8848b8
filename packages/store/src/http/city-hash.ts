/**
 * CityHash128 as ClickHouse computes it: Google's CityHash v1.0.2 (later versions give other
 * values), which checksums each block of ClickHouse's compressed format. Ported from the Java
 * client's ClickHouseCityHash, which the JDBC driver checks answers with; 64-bit arithmetic is
 * done on BigInt, wrapped to 64 bits after every step that can overflow.
 */

const MASK = (1n << 64n) - 1n;
const k0 = 0xc3a5c85c97cb3127n;
const k1 = 0xb492b66fbe98f273n;
const k2 = 0x9ae16a3b2f90404fn;
const k3 = 0xc949d7c7509e6557n;
const kMul = 0x9ddfea08eb382d69n;

type Pair = [bigint, bigint];

const add = (...values: bigint[]): bigint => values.reduce((sum, value) => sum + value, 0n) & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const rotate = (value: bigint, shift: bigint): bigint => (shift === 0n ? value : ((value >> shift) | (value << (64n - shift))) & MASK);
const shiftMix = (value: bigint): bigint => value ^ (value >> 47n);

function fetch64(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, true);
}

function fetch32(bytes: Uint8Array, at: number): bigint {
  return BigInt(new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true));
}

function hashLen16(u: bigint, v: bigint): bigint {
  let a = mul(u ^ v, kMul);
  a ^= a >> 47n;
  let b = mul(v ^ a, kMul);
  b ^= b >> 47n;
  return mul(b, kMul);
}

function hashLen0to16(s: Uint8Array, pos: number, len: number): bigint {
  const length = BigInt(len);
  if (len > 8) {
    const a = fetch64(s, pos);
    const b = fetch64(s, pos + len - 8);
    return hashLen16(a, rotate(add(b, length), length)) ^ b;
  }
  if (len >= 4) {
    const a = fetch32(s, pos);
    return hashLen16(add(a << 3n, length), fetch32(s, pos + len - 4));
  }
  if (len > 0) {
    const y = BigInt(s[pos]! + (s[pos + (len >>> 1)]! << 8));
    const z = BigInt(len + (s[pos + len - 1]! << 2));
    return mul(shiftMix(mul(y, k2) ^ mul(z, k3)), k2);
  }
  return k2;
}

function weakHashLen32WithSeeds(s: Uint8Array, pos: number, seedA: bigint, seedB: bigint): Pair {
  const [w, x, y, z] = [fetch64(s, pos), fetch64(s, pos + 8), fetch64(s, pos + 16), fetch64(s, pos + 24)];
  let a = add(seedA, w);
  let b = rotate(add(seedB, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotate(a, 44n));
  return [add(a, z), add(b, c)];
}

function cityMurmur(s: Uint8Array, start: number, len: number, seed0: bigint, seed1: bigint): Pair {
  let [a, b] = [seed0, seed1];
  let c: bigint;
  let d: bigint;
  let pos = start;
  let left = len - 16;
  if (left <= 0) {
    a = mul(shiftMix(mul(a, k1)), k1);
    c = add(mul(b, k1), hashLen0to16(s, pos, len));
    d = shiftMix(add(a, len >= 8 ? fetch64(s, pos) : c));
  } else {
    c = hashLen16(add(fetch64(s, pos + len - 8), k1), a);
    d = hashLen16(add(b, BigInt(len)), add(c, fetch64(s, pos + len - 16)));
    a = add(a, d);
    do {
      a ^= mul(shiftMix(mul(fetch64(s, pos), k1)), k1);
      a = mul(a, k1);
      b ^= a;
      c ^= mul(shiftMix(mul(fetch64(s, pos + 8), k1)), k1);
      c = mul(c, k1);
      d ^= c;
      pos += 16;
      left -= 16;
    } while (left > 0);
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return [a ^ b, hashLen16(b, a)];
}

function cityHash128WithSeed(s: Uint8Array, start: number, length: number, seed0: bigint, seed1: bigint): Pair {
  if (length < 128) return cityMurmur(s, start, length, seed0, seed1);
  let pos = start;
  let len = length;
  let x = seed0;
  let y = seed1;
  let z = mul(k1, BigInt(len));
  let v: Pair = [0n, 0n];
  v[0] = add(mul(rotate(y ^ k1, 49n), k1), fetch64(s, pos));
  v[1] = add(mul(rotate(v[0], 42n), k1), fetch64(s, pos + 8));
  let w: Pair = [add(mul(rotate(add(y, z), 35n), k1), x), mul(rotate(add(x, fetch64(s, pos + 88)), 53n), k1)];

  const round = (): void => {
    x = mul(rotate(add(x, y, v[0], fetch64(s, pos + 16)), 37n), k1);
    y = mul(rotate(add(y, v[1], fetch64(s, pos + 48)), 42n), k1);
    x ^= w[1];
    y ^= v[0];
    z = rotate(z ^ w[0], 33n);
    v = weakHashLen32WithSeeds(s, pos, mul(v[1], k1), add(x, w[0]));
    w = weakHashLen32WithSeeds(s, pos + 32, add(z, w[1]), y);
    [z, x] = [x, z];
    pos += 64;
  };
  do {
    round();
    round();
    len -= 128;
  } while (len >= 128);

  y = add(y, mul(rotate(w[0], 37n), k0), z);
  x = add(x, mul(rotate(add(v[0], z), 49n), k0));
  // Up to four chunks of 32 bytes from the end of what is left.
  for (let tailDone = 0; tailDone < len;) {
    tailDone += 32;
    y = add(mul(rotate(add(y, MASK + 1n - x), 42n), k0), v[1]);
    w[0] = add(w[0], fetch64(s, pos + len - tailDone + 16));
    x = add(mul(rotate(x, 49n), k0), w[0]);
    w[0] = add(w[0], v[0]);
    v = weakHashLen32WithSeeds(s, pos + len - tailDone, v[0], v[1]);
  }
  x = hashLen16(x, v[0]);
  y = hashLen16(y, w[0]);
  return [add(hashLen16(add(x, v[1]), w[1]), y), hashLen16(add(x, w[1]), add(y, v[1]))];
}

/** The two 64-bit halves of CityHash128 (v1.0.2) of `bytes`, low half first as ClickHouse writes them. */
export function cityHash128(bytes: Uint8Array): Pair {
  const len = bytes.length;
  if (len >= 16) return cityHash128WithSeed(bytes, 16, len - 16, fetch64(bytes, 0) ^ k3, fetch64(bytes, 8));
  if (len >= 8) return cityHash128WithSeed(new Uint8Array(0), 0, 0, fetch64(bytes, 0) ^ mul(BigInt(len), k0), fetch64(bytes, len - 8) ^ k1);
  return cityHash128WithSeed(bytes, 0, len, k0, k1);
}
