// At run time, with a real-looking Slack webhook URL in SSM Parameter Store: whatever happens
// (the post succeeds, Slack answers an error, the secret is missing), the URL never appears in
// anything the handler logs or returns.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { clientOptions, createLocalStack } from '../../scripts/lib/local-stack.js';
import { loadFixture } from '../support/fixtures.js';
import { type Captured, captureOutput } from '../support/capture-output.js';
import { lambdaContext, uniqueName } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const TOKEN = 'T0AAAAAAA/B0BBBBBBB/XyZ9xYz9XyZ9xYz9XyZ9xYz9';
let slack: Server;
let status = 200;
let handler: Handler;
let output: Captured;

beforeAll(async () => {
  const name = uniqueName('leak');
  const stack = await createLocalStack(inject('awsEndpoint'), name);
  slack = createServer((_request, response) => response.writeHead(status).end(status === 200 ? 'ok' : 'invalid_token'));
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/${TOKEN}`;
  await new SSMClient(clientOptions(stack.endpoint)).send(new PutParameterCommand({ Name: `/${name}/slack`, Type: 'SecureString', Value: url }));
  (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = {
    notify: { receivers: { oncall: { slack: { webhook: `ssm:/${name}/slack` } }, missing: { slack: { webhook: `ssm:/${name}/nothing-here` } } }, route: { receiver: 'oncall', routes: [{ match: { cause: 'image-pull' }, receiver: 'missing' }] } },
  };
  Object.assign(process.env, stack.functionEnv, { POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  output = captureOutput([process.stdout, process.stderr]);
  ({ handler } = (await import('../../functions/notify/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  vi.restoreAllMocks();
  slack?.close();
  delete (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

describe('secrets never reach the logs', () => {
  it('keeps the webhook URL out of logs and results, on success, on a Slack error and on a missing secret', async () => {
    const results: unknown[] = [];
    results.push(await handler({ ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('ok') }, lambdaContext()));
    status = 404;
    await handler({ ...loadFixture('events/task-stopped-app-exit.json'), id: uniqueName('err') }, lambdaContext()).catch((e: Error) => results.push(e.message));
    await handler({ ...loadFixture('events/task-stopped-image-pull.json'), id: uniqueName('missing') }, lambdaContext()).catch((e: Error) => results.push(e.message));
    const everything = output.chunks.join('') + JSON.stringify(results);
    expect(output.chunks.join('')).toMatch(/event (handled|failed)/); // the logs were captured at all
    expect(everything).toMatch(/invalid_token|no_service|404/); // the Slack error was reported ...
    expect(everything).toMatch(/nothing-here/); // ... and the missing secret named
    expect(everything).not.toContain(TOKEN); // ... but the secret itself never
    expect(everything).not.toContain('XyZ9xYz9');
  });
});
