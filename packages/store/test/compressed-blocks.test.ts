import { describe, expect, it } from 'vitest';
import { cityHash128 } from '../src/http/city-hash.ts';
import { compressedBlock, compressedBlocks, lz4Literals } from '../src/http/compressed-blocks.ts';

/** The bytes the vectors were computed over: a pattern that is neither zeros nor repeating too soon. */
function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 255);
}

/**
 * CityHash128 of pattern(length), as the JDBC driver's ClickHouseCityHash (clickhouse-data 0.10.0)
 * computes it: every branch of the hash (under 8, 8–15, 16–127 bytes, 128 and more, tails).
 */
const VECTORS: [number, string, string][] = [
  [0, '3df09dfc64c09a2b', '3cb540c392e51e29'],
  [3, 'e407deda7bb0f294', 'a3a0d146e27f1bd'],
  [7, 'd7ba2459ab7c2913', '53dd430b513ca460'],
  [8, 'f5a4ca47208136a0', '3dd4575b3d46e5ab'],
  [15, 'd956065c63d9ab15', '9623caadd0037b73'],
  [16, '3f3a3275564b7f48', 'b48a2a7a16bac60b'],
  [17, 'aee34bf68bb2e0a2', 'e0d6910555f00b87'],
  [100, '49c189a397bdadee', 'e8155bdfd58d3d3'],
  [143, '59abee69ce16e6a3', '83e91d7a8903bfbe'],
  [144, '2ca82631884c46a7', '71edb8d50338bb1f'],
  [255, 'c87d0f456f6a514b', 'f35b13ec94eb8a52'],
  [300, 'ad7d1f77d7e62c5', '702d3372375ccf2'],
  [4096, '1bd11ecfd108678f', '723d5024904233bb'],
];

/** Reads a literals-only LZ4 block back, as a decoder would. */
function lz4Decode(block: Buffer): Buffer {
  let length = block[0]! >> 4;
  let at = 1;
  if (length === 15) {
    let more: number;
    do {
      more = block[at++]!;
      length += more;
    } while (more === 255);
  }
  expect(block[0]! & 0x0f).toBe(0);
  expect(block.length - at).toBe(length);
  return block.subarray(at);
}

describe("ClickHouse's compressed block format", () => {
  it.each(VECTORS)('hashes %i bytes as ClickHouse and its JDBC driver do', (length, low, high) => {
    const [a, b] = cityHash128(pattern(length));
    expect([a.toString(16), b.toString(16)]).toEqual([low, high]);
  });

  it.each([0, 1, 14, 15, 16, 269, 270, 271, 100_000])('writes %i bytes as LZ4 literals a decoder reads back', (length) => {
    const data = Buffer.from(pattern(length));
    expect(lz4Decode(lz4Literals(data)).equals(data)).toBe(true);
  });

  it('frames a block: checksum of what follows, LZ4 method, sizes, then the LZ4 block', () => {
    const data = Buffer.from('年度\t12345\n', 'utf8');
    const block = compressedBlock(data);
    const [low, high] = cityHash128(block.subarray(16));
    expect([block.readBigUInt64LE(0), block.readBigUInt64LE(8)]).toEqual([low, high]);
    expect(block[16]).toBe(0x82);
    expect(block.readUInt32LE(17)).toBe(block.length - 16);
    expect(block.readUInt32LE(21)).toBe(data.length);
    expect(lz4Decode(block.subarray(25)).equals(data)).toBe(true);
  });

  it('cuts a large answer into blocks of at most 64 KiB (ClickHouse allows 1 MiB), so no block holds the process long', async () => {
    const chunk = Buffer.alloc(160 * 1024, 7);
    const blocks: Buffer[] = [];
    for await (const block of compressedBlocks([chunk])) blocks.push(block);
    expect(blocks.map((b) => b.readUInt32LE(21))).toEqual([64 * 1024, 64 * 1024, 32 * 1024]);
  });
});
