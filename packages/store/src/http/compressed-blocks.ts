import { setImmediate as nextTurn } from 'node:timers/promises';
import { cityHash128 } from './city-hash.ts';

/**
 * Well under ClickHouse's 1 MiB block limit: hashing one takes ~15 ms on a busy core here, the
 * longest the endpoint's process is held between turns (1 MiB took ~200 ms).
 */
const MAX_BLOCK_BYTES = 64 * 1024;
const LZ4_METHOD = 0x82;
/** Method byte, compressed size, uncompressed size: what the checksum covers with the data. */
const BLOCK_HEADER_BYTES = 9;
const CHECKSUM_BYTES = 16;

/**
 * An answer in ClickHouse's compressed format, which the HTTP interface sends for `compress=1`
 * and the JDBC driver asks for by default: blocks of [CityHash128 checksum][0x82][compressed
 * size][uncompressed size][LZ4 block]. The LZ4 blocks hold the bytes as literals, uncompressed:
 * valid LZ4 that any decoder reads, with no compressor to carry, and the endpoint serves loopback
 * or a LAN where size hardly matters. Yields between blocks, since hashing a large answer would
 * otherwise hold the process (and the engine's other clients) for its whole length.
 */
export async function* compressedBlocks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    for (let start = 0; start < chunk.length; start += MAX_BLOCK_BYTES) {
      yield compressedBlock(chunk.subarray(start, start + MAX_BLOCK_BYTES));
      await nextTurn();
    }
  }
}

/** One block of ClickHouse's compressed format holding `data`. */
export function compressedBlock(data: Uint8Array): Buffer {
  const lz4 = lz4Literals(data);
  const block = Buffer.alloc(CHECKSUM_BYTES + BLOCK_HEADER_BYTES + lz4.length);
  block[CHECKSUM_BYTES] = LZ4_METHOD;
  block.writeUInt32LE(BLOCK_HEADER_BYTES + lz4.length, CHECKSUM_BYTES + 1);
  block.writeUInt32LE(data.length, CHECKSUM_BYTES + 5);
  lz4.copy(block, CHECKSUM_BYTES + BLOCK_HEADER_BYTES);
  const [low, high] = cityHash128(block.subarray(CHECKSUM_BYTES));
  block.writeBigUInt64LE(low, 0);
  block.writeBigUInt64LE(high, 8);
  return block;
}

/**
 * An LZ4 block of one sequence that is all literals: a token whose high nibble is the literal
 * length (15 and then bytes of 255… adding up to the rest), then the bytes. The last sequence of
 * a block has no match part, so this is the whole block.
 */
export function lz4Literals(data: Uint8Array): Buffer {
  const length = data.length;
  const extra = length >= 15 ? Math.floor((length - 15) / 255) + 1 : 0;
  const out = Buffer.alloc(1 + extra + length);
  out[0] = Math.min(length, 15) << 4;
  let at = 1;
  if (length >= 15) {
    let rest = length - 15;
    for (; rest >= 255; rest -= 255) out[at++] = 255;
    out[at++] = rest;
  }
  out.set(data, at);
  return out;
}
