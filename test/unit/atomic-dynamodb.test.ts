// The proxy that makes the emulator's DynamoDB requests atomic (one at a time) must never let a
// client that gave up stop the queue: the full soak stalled on that once, every DynamoDB call
// after it timing out. A fake, slow emulator stands behind it here.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAtomicDynamoDbProxy, type AtomicDynamoDbProxy } from '../../scripts/lib/atomic-dynamodb.js';

let upstream: Server;
let proxy: AtomicDynamoDbProxy;
afterEach(async () => {
  await proxy?.stop();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

/** An emulator that answers each request after `delayMs` with a body larger than a socket's buffers. */
async function slowEmulator(delayMs: number) {
  const seen: string[] = [];
  upstream = createServer((req, res) => {
    const id = String(req.headers['x-test-id']);
    seen.push(id);
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ id, pad: 'x'.repeat(4 << 20) })), delayMs);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, seen };
}

/** A DynamoDB call through the proxy; gives up (closes its connection) after `giveUpMs`, if set. */
function call(id: string, giveUpMs?: number): Promise<{ status: number; id?: string } | 'gave up'> {
  const url = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'x-test-id': id } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, id: (JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id }));
    });
    req.on('error', (error) => (giveUpMs !== undefined ? resolve('gave up') : reject(error)));
    if (giveUpMs !== undefined) setTimeout(() => req.destroy(), giveUpMs);
    req.end('{}');
  });
}

describe('atomic DynamoDB proxy', () => {
  it('goes on after a client gives up mid-answer, and drops a request whose client gave up while it waited', async () => {
    const emulator = await slowEmulator(150);
    proxy = await startAtomicDynamoDbProxy(emulator.url);
    // a: sent to the emulator, its client gone before the answer. b: gone while queued behind a.
    const a = call('a', 50);
    const b = call('b', 100);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const c = call('c');
    expect(await a).toBe('gave up');
    expect(await b).toBe('gave up');
    expect(await c).toEqual({ status: 200, id: 'c' });
    expect(emulator.seen).toEqual(['a', 'c']);
    // And the queue still moves.
    expect(await call('d')).toEqual({ status: 200, id: 'd' });
  });
});
