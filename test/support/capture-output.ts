// Captures what a handler writes to stdout (and stderr): its log lines and its EMF metric lines.
import { vi } from 'vitest';

export interface Captured {
  chunks: string[];
  /** Every JSON line that carries an EMF directive, parsed. */
  emf(): Array<Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }> } }>;
}

/** Restore with vi.restoreAllMocks(). `echo` passes lines through (EMF lines are kept quiet). */
export function captureOutput(streams: NodeJS.WriteStream[] = [process.stdout], echo = true): Captured {
  const chunks: string[] = [];
  for (const stream of streams) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(String(chunk));
      return !echo || String(chunk).includes('"_aws"') ? true : write(chunk as string, ...(rest as []));
    }) as typeof stream.write);
  }
  return {
    chunks,
    emf: () =>
      chunks
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => JSON.parse(line) as ReturnType<Captured['emf']>[number]),
  };
}
