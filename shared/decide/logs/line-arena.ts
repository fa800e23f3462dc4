// Record lines are written into large shared buffers instead of living as JavaScript strings.
// A batch of 50,000 records as strings keeps the garbage collector copying megabytes between
// generations; as slices of a few 1 MiB buffers (outside the JS heap) the per-record strings die
// young, and a destination can send a run of records as one slice without concatenating anything.

const SLAB_BYTES = 1 << 20;

export class LineArena {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private offset = 0;

  /**
   * Writes head + middle + tail and a newline; returns the bytes as a slice of the arena (no copy).
   * `middle` is already UTF-8 (the attributes a whole batch shares, encoded once) and is copied as is.
   */
  append(head: string, middle: Buffer, tail: string): Buffer {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the exact length is known only after writing.
    const worst = (head.length + tail.length) * 3 + middle.length + 1;
    if (this.offset + worst > this.slab.length) {
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, worst));
      this.offset = 0;
    }
    const slab = this.slab;
    const start = this.offset;
    let at = start + slab.write(head, start, 'utf8');
    slab.set(middle, at);
    at += middle.length;
    at += slab.write(tail, at, 'utf8');
    slab[at] = 10;
    this.offset = at + 1;
    return slab.subarray(start, this.offset);
  }
}
