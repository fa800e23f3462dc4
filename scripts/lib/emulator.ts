// Starts moto (the AWS API emulator) in server mode on a free loopback port, from the project's
// own venv (scripts/setup-venv.sh installs it at a pinned version on first use).
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAtomicDynamoDbProxy } from './atomic-dynamodb.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Credentials and region the emulator accepts; never real ones. */
export const EMULATOR_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
} as const;

export const EMULATOR_ACCOUNT = '123456789012';

export interface Emulator {
  url: string;
  stop(): Promise<void>;
  /** Forgets every resource: each test file can start from nothing. */
  reset(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilUp(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(`${url}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the AWS emulator did not answer on ${url} within 60 s; see .cache/moto.log`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function ensureVenv(): void {
  execFileSync('bash', [join(projectRoot, 'scripts', 'setup-venv.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startEmulator(): Promise<Emulator> {
  ensureVenv();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(join(projectRoot, '.venv', 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...EMULATOR_ENV },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the AWS emulator exited (code ${code}): ${stderr}`))));
  await Promise.race([waitUntilUp(url, Date.now() + 60_000), exited]);
  exited.catch(() => undefined);
  // Everything reaches moto through a proxy that runs one DynamoDB request at a time, so that a
  // conditional write is atomic as it is in DynamoDB (see atomic-dynamodb.ts): the tests, the soak
  // and the demo then race on the code's own conditions, not on the emulator's missing lock.
  const atomic = await startAtomicDynamoDbProxy(url);
  return {
    url: atomic.url,
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      await atomic.stop();
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
