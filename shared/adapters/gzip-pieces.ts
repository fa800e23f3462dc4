// One gzip member written a piece at a time, so a body built in pieces is never whole in memory
// before it is compressed: a 5 MiB _bulk body becomes a 256 KiB buffer written over, and its
// compressed bytes (npm run bench, peak memory).
//
// Each piece is raw deflate ended with a sync flush (an empty stored block, byte-aligned, not
// final), so pieces simply follow one another; one final empty block closes the stream, and the
// gzip header and trailer (CRC-32 and length of everything added) wrap it (RFC 1951 3.2.3,
// RFC 1952 2.3; pigz writes its parallel blocks the same way). The result is an ordinary
// single-member gzip file. Each piece is compressed with the last 32 KiB before it as its preset
// dictionary, as pigz does: the decompressor holds those bytes in its window anyway, and without
// them every piece began with nothing to refer back to (log lines repeat a lot: 12% larger).
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** Deflate's window: how far back a match may refer. */
const WINDOW_BYTES = 32 * 1024;

// ID1 ID2, CM deflate, no flags, no mtime, no extra flags, OS unknown.
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
// A final fixed-Huffman block holding only end-of-block: what deflate writes to finish an empty stream.
const FINAL_BLOCK = Buffer.from([3, 0]);

export class GzipPieces {
  private readonly parts: Buffer[] = [HEADER];
  private crc = 0;
  private length = 0;
  /** The last bytes added, up to WINDOW_BYTES, copied: the caller writes over what it adds. */
  private readonly window = Buffer.allocUnsafe(WINDOW_BYTES);
  private windowLength = 0;

  /** Compresses `bytes` now: the caller may write over them as soon as this returns. */
  add(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const dictionary = this.windowLength > 0 ? { dictionary: this.window.subarray(0, this.windowLength) } : {};
    this.parts.push(deflateRawSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, ...dictionary }));
    this.crc = crc32(bytes, this.crc);
    this.length += bytes.length;
    this.remember(bytes);
  }

  private remember(bytes: Uint8Array): void {
    if (bytes.length >= WINDOW_BYTES) {
      this.window.set(bytes.subarray(bytes.length - WINDOW_BYTES));
      this.windowLength = WINDOW_BYTES;
      return;
    }
    const kept = Math.min(this.windowLength, WINDOW_BYTES - bytes.length);
    this.window.copyWithin(0, this.windowLength - kept, this.windowLength);
    this.window.set(bytes, kept);
    this.windowLength = kept + bytes.length;
  }

  /** The gzip file of everything added, in order. */
  finish(): Buffer {
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.length % 2 ** 32, 4);
    return Buffer.concat([...this.parts, FINAL_BLOCK, trailer]);
  }
}
