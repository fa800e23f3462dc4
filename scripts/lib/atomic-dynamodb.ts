// A loopback proxy in front of the emulator (started by startEmulator) that hands it one DynamoDB request at a time.
//
// Why: the state store's safety rests on DynamoDB evaluating a write's condition and applying the
// write as one atomic step per item (cooldowns, budgets, claims, versioned records). moto 5.2's
// server is threaded and its DynamoDB backend takes no lock: UpdateItem and PutItem read the item,
// check the condition, then write it, so two concurrent requests can both pass a condition only
// one of them may pass (a probe of 4 concurrent reserveSlot calls with limit 2 let 3 in, in 13 of
// 200 rounds; 2 of 200 rounds let two cooldown holders in). Real DynamoDB does not do that.
// Serialising DynamoDB requests gives the tests the semantics the code relies on, while the
// invocations under test still race each other for real: each of them still reads, decides and
// writes concurrently, and only the emulator's execution of each single request is made atomic.
// Other services pass straight through, concurrently.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AtomicDynamoDbProxy {
  url: string;
  stop(): Promise<void>;
}

const isDynamoDb = (message: IncomingMessage) => String(message.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');

/** How long one request may hold the queue: an emulator that never answers must not stop every later request. */
const UPSTREAM_TIMEOUT_MS = 30_000;

export async function startAtomicDynamoDbProxy(upstream: string): Promise<AtomicDynamoDbProxy> {
  const target = new URL(upstream);
  let queue: Promise<void> = Promise.resolve();
  const server = createServer((incoming, outgoing) => {
    // Before anything is written to it, a closed response means the client went away (its own
    // timeout): a request still waiting for its turn is then dropped, never sent to the emulator,
    // as if it had been lost on the way. Sending it anyway would make a lost answer.
    let clientGone = false;
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) clientGone = true;
    });
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forward = () =>
        new Promise<void>((done) => {
          if (clientGone) {
            done();
            return;
          }
          let finished = false;
          const finish = () => {
            if (!finished) {
              finished = true;
              done();
            }
          };
          const upstreamRequest = request(
            { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
            (answer) => {
              // The whole answer is read before it is passed on, whatever the client does
              // meanwhile: an answer piped into a client that has gone stops being read, never
              // ends, and would hold the queue, and with it every later DynamoDB request, for good.
              const body: Buffer[] = [];
              answer.on('data', (chunk: Buffer) => body.push(chunk));
              // An answer cut off on the way is cut off for the client too, rather than left hanging.
              answer.on('error', () => {
                finish();
                outgoing.destroy();
              });
              answer.on('close', finish);
              answer.on('end', () => {
                finish();
                if (!clientGone && !outgoing.destroyed) outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
              });
            },
          );
          upstreamRequest.setTimeout(UPSTREAM_TIMEOUT_MS, () => upstreamRequest.destroy(new Error(`the emulator did not answer within ${UPSTREAM_TIMEOUT_MS} ms`)));
          upstreamRequest.on('error', (error) => {
            finish();
            if (!outgoing.headersSent && !outgoing.destroyed) outgoing.writeHead(502).end(String(error));
          });
          upstreamRequest.end(Buffer.concat(chunks));
        });
      if (!isDynamoDb(incoming)) {
        void forward();
        return;
      }
      queue = queue.then(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
