// One request body's buffer, kept by a destination and written over for each call (the Firehose
// destination's PutRecordBatch bodies; a gzipped _bulk body is built in pieces, gzip-pieces.ts).
//
// A body allocated per call (~0.6 MB for 500 Firehose records) lives outside V8's heap, and V8
// frees it only at a collection, which the allocation of buffers alone brings on late (it allows
// tens of MB of external memory first). The largest batch makes 64 such bodies: the dead ones
// piled up to 13-15 MB of the shipment's peak resident set (npm run bench, peak memory). One
// buffer per destination, reused, is one body's worth whatever the batch.
//
// A destination sends its chunks one after another; a second send while the buffer is lent (two
// invocations sharing the destination, in tests or the CLI) gets a buffer of its own, never the
// lent one. Bodies larger than `maxKeptBytes` are not kept, so an unusually large one does not pin
// its size in the container between invocations.

/** Where a body builder gets its buffer: `size` bytes, whose content is for the builder to write. */
export type Allocate = (size: number) => Buffer;

export const freshBuffer: Allocate = (size) => Buffer.allocUnsafe(size);

const MIB = 1024 * 1024;

/** A power of two up to 1 MiB (64 KiB at least), whole MiB above. */
export function capacityFor(size: number): number {
  if (size > MIB) return Math.ceil(size / MIB) * MIB;
  return Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(Math.max(1, size))));
}

export class ScratchBuffer {
  private kept: Buffer | undefined;
  private lent = false;

  constructor(private readonly maxKeptBytes = 16 * 1024 * 1024) {}

  /** Runs `use` with an allocator backed by the kept buffer; the buffer is not written over until `use` settles. */
  async lend<T>(use: (allocate: Allocate) => Promise<T>): Promise<T> {
    if (this.lent) return use(freshBuffer);
    this.lent = true;
    try {
      return await use((size) => this.take(size));
    } finally {
      this.lent = false;
    }
  }

  private take(size: number): Buffer {
    if (this.kept && this.kept.length >= size) return this.kept.subarray(0, size);
    if (size > this.maxKeptBytes) return Buffer.allocUnsafeSlow(size);
    // Room to spare: bodies of one kind differ by a few bytes, and a buffer replaced for each
    // slightly larger one would be garbage of its full size every time.
    this.kept = Buffer.allocUnsafeSlow(Math.min(this.maxKeptBytes, capacityFor(size)));
    return this.kept.subarray(0, size);
  }
}
