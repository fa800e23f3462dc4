// The Slack sender against a real HTTP server on loopback playing Slack: real fetch, real headers,
// real timeouts. Waits go through an injected sleep that records them, so retries cost no time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackWebhookSender, redactWebhookUrl, SlackRateLimitedError, SlackWebhookError } from '../../shared/adapters/slack-webhook.js';

type Answer = (response: ServerResponse) => void;
interface FakeSlack {
  url: string;
  bodies: unknown[];
  headers: IncomingMessage['headers'][];
}

let server: Server | undefined;
afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  // The never-answering test leaves a request open; close() alone would wait for it forever.
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

/** Answers the n-th request with answers[n] (the last answer repeats); records what Slack would get. */
async function fakeSlack(answers: Answer[]): Promise<FakeSlack> {
  const slack: FakeSlack = { url: '', bodies: [], headers: [] };
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      slack.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      slack.headers.push(request.headers);
      answers[Math.min(slack.bodies.length, answers.length) - 1]!(response);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  slack.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0001/B0002/s3cr3tW3bh00kT0k3n`;
  return slack;
}

const answer = (status: number, body: string, headers: Record<string, string> = {}): Answer => (response) => {
  response.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
};
const neverAnswer: Answer = () => undefined;

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const plenty = { remainingMs: () => 30_000 };
const message = { text: 'Service prod/web: a container was killed for using more memory than its limit' };

describe('Slack webhook sender', () => {
  it('posts the payload as JSON, once', async () => {
    const slack = await fakeSlack([answer(200, 'ok')]);
    const { waits, sleep } = recordingSleep();
    expect(await createSlackWebhookSender({ sleep }).post(slack.url, message, plenty)).toEqual({ status: 200, attempts: 1 });
    expect(slack.bodies).toEqual([message]);
    expect(slack.headers[0]!['content-type']).toBe('application/json');
    expect(waits).toEqual([]);
  });

  it('waits as long as Retry-After says on a 429, then retries', async () => {
    const slack = await fakeSlack([answer(429, 'rate_limited', { 'retry-after': '1' }), answer(200, 'ok')]);
    const { waits, sleep } = recordingSleep();
    expect(await createSlackWebhookSender({ sleep }).post(slack.url, message, plenty)).toEqual({ status: 200, attempts: 2 });
    expect(waits).toEqual([1000]);
    expect(slack.bodies).toEqual([message, message]);
  });

  it('gives up at once on a 429 whose Retry-After does not fit in the remaining time, carrying the pause', async () => {
    const slack = await fakeSlack([answer(429, 'rate_limited', { 'retry-after': '30' })]);
    const { waits, sleep } = recordingSleep();
    const error = await createSlackWebhookSender({ sleep })
      .post(slack.url, message, { remainingMs: () => 20_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    expect((error as SlackRateLimitedError).retryAfterSeconds).toBe(30);
    expect(waits).toEqual([]);
    expect(slack.bodies).toHaveLength(1);
  });

  it('keeps the safety margin: a Retry-After equal to the remaining time is not waited for', async () => {
    const slack = await fakeSlack([answer(429, '', { 'retry-after': '5' })]);
    const { waits, sleep } = recordingSleep();
    await expect(createSlackWebhookSender({ sleep }).post(slack.url, message, { remainingMs: () => 5_500 })).rejects.toBeInstanceOf(SlackRateLimitedError);
    expect(waits).toEqual([]);
  });

  it('retries 5xx with jittered exponential backoff and succeeds on the third attempt', async () => {
    const slack = await fakeSlack([answer(500, 'internal_error'), answer(500, 'internal_error'), answer(200, 'ok')]);
    const { waits, sleep } = recordingSleep();
    expect(await createSlackWebhookSender({ sleep, random: () => 0.5 }).post(slack.url, message, plenty)).toEqual({ status: 200, attempts: 3 });
    // Full jitter: half of 250 ms, then half of 500 ms.
    expect(waits).toEqual([125, 250]);
  });

  it('stops after three attempts of 5xx, with Slack’s answer and without the webhook path', async () => {
    const slack = await fakeSlack([answer(503, 'service_unavailable')]);
    const { sleep } = recordingSleep();
    const error = (await createSlackWebhookSender({ sleep }).post(slack.url, message, plenty).catch((e: unknown) => e)) as SlackWebhookError;
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect(error.message).toMatch(/failed after 3 attempts: 503 service_unavailable/);
    expect(error.attempts).toBe(3);
    expect(error.message).not.toContain('s3cr3t');
  });

  it('throws at once on a 4xx with Slack’s reason, showing only the host of the webhook', async () => {
    const slack = await fakeSlack([answer(400, 'invalid_payload')]);
    const { waits, sleep } = recordingSleep();
    const error = (await createSlackWebhookSender({ sleep }).post(slack.url, message, plenty).catch((e: unknown) => e)) as SlackWebhookError;
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect(error.status).toBe(400);
    expect(error.message).toContain('invalid_payload');
    expect(error.message).toContain(`127.0.0.1:${new URL(slack.url).port}/services/…`);
    expect(error.message).not.toContain('/services/T0001/B0002');
    expect(error.message).not.toContain('s3cr3tW3bh00kT0k3n');
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
    expect(slack.bodies).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('says a revoked webhook needs a person, not a retry', async () => {
    const slack = await fakeSlack([answer(404, 'no_service')]);
    await expect(createSlackWebhookSender().post(slack.url, message, plenty)).rejects.toThrow(/404 no_service: the webhook or its channel is gone/);
  });

  it('times out a Slack that never answers, retrying within the deadline', async () => {
    const slack = await fakeSlack([neverAnswer]);
    const { sleep } = recordingSleep();
    const started = Date.now();
    const error = (await createSlackWebhookSender({ sleep, timeoutMs: 200 }).post(slack.url, message, plenty).catch((e: unknown) => e)) as SlackWebhookError;
    expect(error).toBeInstanceOf(SlackWebhookError);
    expect(error.message).toMatch(/failed after 3 attempts: no answer within 200 ms/);
    expect(error.message).not.toContain('s3cr3t');
    expect(error.status).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('does not start an attempt the invocation has no time left for', async () => {
    const slack = await fakeSlack([answer(200, 'ok')]);
    await expect(createSlackWebhookSender().post(slack.url, message, { remainingMs: () => 900 })).rejects.toThrow(/no time left/);
    expect(slack.bodies).toHaveLength(0);
  });

  it('never echoes a malformed URL', () => {
    expect(() => redactWebhookUrl('hooks.slack.com/services/T0001/B0002/s3cr3t')).toThrow(/not a valid URL \(not shown/);
    expect(redactWebhookUrl('https://hooks.slack.com/services/T0001/B0002/s3cr3t')).toBe('hooks.slack.com/services/…');
  });
});
