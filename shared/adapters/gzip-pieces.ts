// One gzip member written a piece at a time, so a body built in pieces is never whole in memory
// before it is compressed: a 5 MiB _bulk body becomes a 256 KiB buffer written over, and its
// compressed bytes (npm run bench, peak memory).
//
// Each piece is raw deflate ended with a sync flush (an empty stored block, byte-aligned, not
// final), so pieces simply follow one another; one final empty block closes the stream, and the
// gzip header and trailer (CRC-32 and length of everything added) wrap it (RFC 1951 3.2.3,
// RFC 1952 2.3; pigz writes its parallel blocks the same way). The result is an ordinary
// single-member gzip file. A piece starts with an empty window, which costs a few bytes of
// compression at each boundary (the window is 32 KiB; pieces are 256 KiB).
import { constants, crc32, deflateRawSync } from 'node:zlib';

// ID1 ID2, CM deflate, no flags, no mtime, no extra flags, OS unknown.
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
// A final fixed-Huffman block holding only end-of-block: what deflate writes to finish an empty stream.
const FINAL_BLOCK = Buffer.from([3, 0]);

export class GzipPieces {
  private readonly parts: Buffer[] = [HEADER];
  private crc = 0;
  private length = 0;

  /** Compresses `bytes` now: the caller may write over them as soon as this returns. */
  add(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }));
    this.crc = crc32(bytes, this.crc);
    this.length += bytes.length;
  }

  /** The gzip file of everything added, in order. */
  finish(): Buffer {
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.length % 2 ** 32, 4);
    return Buffer.concat([...this.parts, FINAL_BLOCK, trailer]);
  }
}
