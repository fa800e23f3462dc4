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

export async function startAtomicDynamoDbProxy(upstream: string): Promise<AtomicDynamoDbProxy> {
  const target = new URL(upstream);
  let queue: Promise<void> = Promise.resolve();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forward = () =>
        new Promise<void>((done) => {
          const upstreamRequest = request(
            { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
            (answer) => {
              outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(outgoing);
              answer.on('end', () => done());
              answer.on('error', () => done());
            },
          );
          upstreamRequest.on('error', (error) => {
            outgoing.writeHead(502).end(String(error));
            done();
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
