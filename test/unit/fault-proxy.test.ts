// The fault-injecting proxy against a real loopback upstream that records what reaches it, and
// real AWS SDK clients that must classify the injected faults as they would AWS's own.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultKind, type FaultProxy, mulberry32, operationOf, serviceOf, startFaultProxy } from '../../scripts/lib/fault-proxy.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Upstream {
  url: string;
  received: Recorded[];
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const servers: Server[] = [];
const proxies: FaultProxy[] = [];

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

/** Records every request; answers 201 with an x-upstream header and a two-chunk body that echoes the request. */
async function startUpstream(): Promise<Upstream> {
  const upstream: Upstream = { url: '', received: [] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      upstream.received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      response.writeHead(201, 'Made It', { 'x-upstream': 'yes', 'content-type': 'application/octet-stream' });
      // Two writes: the proxy streams, it does not need the whole answer at once.
      response.write(Buffer.from('echo:'));
      setTimeout(() => response.end(body), 5);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

async function proxyTo(upstream: Upstream, options: { seed?: number; rate: number; kinds?: FaultKind[]; timeoutMs?: number }): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ upstream: upstream.url, seed: options.seed ?? 1, ...options });
  proxies.push(proxy);
  return proxy;
}

function send(base: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path ?? '/', base);
    const request = httpRequest(
      { hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    if (options.chunked && options.body !== undefined) {
      const body = Buffer.from(options.body);
      request.write(body.subarray(0, 10));
      request.end(body.subarray(10));
    } else {
      request.end(options.body);
    }
  });
}

function sigv4(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261120/us-east-1/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef`;
}

const dynamoPut = {
  headers: { authorization: sigv4('dynamodb'), 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
  body: '{"TableName":"t","Item":{"pk":{"S":"a"}}}',
};
const ecsTags = {
  headers: { authorization: sigv4('ecs'), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListTagsForResource' },
  body: '{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:service/c/s"}',
};
const snsPublish = {
  headers: { authorization: sigv4('sns'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: 'Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&Message=hi',
};
const cloudwatchQuery = {
  headers: { authorization: sigv4('monitoring'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: 'Action=PutMetricData&Version=2010-08-01&Namespace=x',
};
const slackPost = { headers: { 'content-type': 'application/json' }, body: '{"text":"hello"}' };

describe('request classification', () => {
  it('reads the service from the SigV4 scope and the operation from X-Amz-Target or Action', () => {
    expect(serviceOf({ authorization: sigv4('dynamodb') }, '/')).toBe('dynamodb');
    expect(serviceOf({}, '/x?X-Amz-Credential=AKID%2F20261120%2Fus-east-1%2Fs3%2Faws4_request')).toBe('s3');
    expect(serviceOf({}, '/services/T0/B0/x')).toBe('http');
    expect(operationOf(dynamoPut.headers, Buffer.from(dynamoPut.body))).toBe('DynamoDB_20120810.PutItem');
    expect(operationOf({ 'x-amz-target': 'AmazonSQS.SendMessage' }, Buffer.alloc(0))).toBe('AmazonSQS.SendMessage');
    expect(operationOf(snsPublish.headers, Buffer.from(snsPublish.body))).toBe('Publish');
    expect(operationOf(slackPost.headers, Buffer.from(slackPost.body))).toBeUndefined();
  });

  it('mulberry32 is a pure function of its seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 50 }, () => a());
    expect(Array.from({ length: 50 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(8)()).not.toBe(xs[0]);
  });
});

describe('startFaultProxy', () => {
  it('refuses a non-loopback upstream, a non-loopback listen address and a rate outside [0, 1]', async () => {
    await expect(startFaultProxy({ upstream: 'http://10.0.0.5:4566', seed: 1, rate: 0 })).rejects.toThrow(/loopback/);
    await expect(startFaultProxy({ upstream: 'http://example.com', seed: 1, rate: 0 })).rejects.toThrow(/loopback/);
    await expect(startFaultProxy({ upstream: 'http://127.0.0.1:1', seed: 1, rate: 0, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    await expect(startFaultProxy({ upstream: 'http://127.0.0.1:1', seed: 1, rate: 1.5 })).rejects.toThrow(/rate/);
    await expect(startFaultProxy({ upstream: 'http://127.0.0.1:1', seed: 1, rate: 0, kinds: [] })).rejects.toThrow(/kinds/);
  });

  it('at rate 0 forwards everything byte-exact and streams the answer back', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 0 });
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

    const reply = await send(proxy.url, { method: 'PUT', path: '/some/path?a=1&b=two%20words&a=3', headers: { 'x-custom': 'Value With Spaces', 'content-type': 'application/octet-stream' }, body });
    expect(reply.status).toBe(201);
    expect(reply.headers['x-upstream']).toBe('yes');
    expect(reply.body).toEqual(Buffer.concat([Buffer.from('echo:'), body]));
    const got = upstream.received[0]!;
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/some/path?a=1&b=two%20words&a=3');
    expect(got.body).toEqual(body);
    expect(got.headers['x-custom']).toBe('Value With Spaces');
    expect(got.headers['content-length']).toBe('256');
    expect(got.headers.host).toBe(new URL(upstream.url).host);

    // A chunked upload and a bodiless GET arrive the same way.
    const chunked = await send(proxy.url, { path: '/c', body: 'a chunked request body, sent in two writes', chunked: true, headers: dynamoPut.headers });
    expect(chunked.status).toBe(201);
    expect(upstream.received[1]!.body.toString()).toBe('a chunked request body, sent in two writes');
    expect(upstream.received[1]!.headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');
    expect(upstream.received[1]!.headers.authorization).toBe(sigv4('dynamodb'));
    const get = await send(proxy.url, { method: 'GET', path: '/moto-api/data.json' });
    expect(get.status).toBe(201);
    expect(upstream.received[2]!.method).toBe('GET');
    expect(upstream.received[2]!.body.length).toBe(0);

    expect(proxy.counts()).toMatchObject({ total: 3, faulted: 0, byKind: {}, byService: {}, requestsByService: { http: 2, dynamodb: 1 }, upstreamErrors: 0 });
  });

  it('answers 502 and counts an upstream error when the upstream is down (not an injected fault)', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 0 });
    await new Promise((resolve) => {
      const s = servers.pop()!;
      s.closeAllConnections();
      s.close(resolve);
    });
    const reply = await send(proxy.url, { path: '/' });
    expect(reply.status).toBe(502);
    expect(proxy.counts()).toMatchObject({ total: 1, faulted: 0, upstreamErrors: 1 });
  });

  it('counts a forwarded call the client gave up on before the answer, once (a lost answer, not injected)', async () => {
    let held = 0;
    const server = createServer((request) => {
      held += 1;
      request.resume(); // never answers
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = await proxyTo({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received: [] }, { rate: 0 });
    const target = new URL(proxy.url);
    await new Promise<void>((resolve) => {
      const request = httpRequest({ hostname: target.hostname, port: target.port, path: '/', method: 'POST', headers: dynamoPut.headers, agent: false });
      request.on('error', () => resolve());
      request.end(dynamoPut.body);
      setTimeout(() => request.destroy(), 100);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held).toBe(1);
    expect(proxy.counts()).toMatchObject({ total: 1, faulted: 0, upstreamErrors: 1 });
    // The lost call is kept with its body: the soak tells from it which event's effect may repeat.
    expect(proxy.lostAnswers()).toEqual([{ service: 'dynamodb', path: '/', body: dynamoPut.body }]);
    proxy.reset();
    expect(proxy.lostAnswers()).toEqual([]);
  });

  it("throttles each protocol the way the service would, and the faulted requests never reach the upstream", async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['throttle'] });

    const dynamo = await send(proxy.url, dynamoPut);
    expect(dynamo.status).toBe(400);
    expect(dynamo.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(dynamo.headers['x-amzn-errortype']).toBe('ProvisionedThroughputExceededException');
    expect(JSON.parse(dynamo.body.toString())).toEqual({ __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' });

    const ecs = await send(proxy.url, ecsTags);
    expect(ecs.status).toBe(400);
    expect(ecs.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(ecs.body.toString())).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });

    const sns = await send(proxy.url, snsPublish);
    expect(sns.status).toBe(400);
    expect(sns.headers['content-type']).toBe('text/xml');
    const snsBody = sns.body.toString();
    expect(snsBody).toMatch(/^<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>[0-9a-f-]+<\/RequestId><\/ErrorResponse>$/);

    const cloudwatch = await send(proxy.url, cloudwatchQuery);
    expect(cloudwatch.status).toBe(400);
    expect(cloudwatch.body.toString()).toContain('<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type><Code>Throttling</Code>');

    const slack = await send(proxy.url, { path: '/services/T0/B0/x', ...slackPost });
    expect(slack.status).toBe(429);
    expect(slack.headers['retry-after']).toBe('1');
    expect(slack.body.toString()).toBe('rate_limited');

    expect(upstream.received).toEqual([]);
    expect(proxy.counts()).toEqual({
      total: 5,
      faulted: 5,
      byKind: { throttle: 5 },
      byService: { dynamodb: 1, ecs: 1, sns: 1, monitoring: 1, http: 1 },
      byServiceAndKind: { dynamodb: { throttle: 1 }, ecs: { throttle: 1 }, sns: { throttle: 1 }, monitoring: { throttle: 1 }, http: { throttle: 1 } },
      requestsByService: { dynamodb: 1, ecs: 1, sns: 1, monitoring: 1, http: 1 },
      upstreamErrors: 0,
    });
    expect(proxy.history().map((r) => [r.seq, r.service, r.operation, r.fault])).toEqual([
      [0, 'dynamodb', 'DynamoDB_20120810.PutItem', 'throttle'],
      [1, 'ecs', 'AmazonEC2ContainerServiceV20141113.ListTagsForResource', 'throttle'],
      [2, 'sns', 'Publish', 'throttle'],
      [3, 'monitoring', 'PutMetricData', 'throttle'],
      [4, 'http', undefined, 'throttle'],
    ]);
  });

  it('answers server-error with 500 and unavailable with 503 in each protocol', async () => {
    const upstream = await startUpstream();
    const errors = await proxyTo(upstream, { rate: 1, kinds: ['server-error'] });
    const dynamo = await send(errors.url, dynamoPut);
    expect(dynamo.status).toBe(500);
    expect(JSON.parse(dynamo.body.toString()).__type).toBe('InternalServerError');
    const ecs = await send(errors.url, ecsTags);
    expect(ecs.status).toBe(500);
    expect(JSON.parse(ecs.body.toString()).__type).toBe('InternalFailure');
    const sns = await send(errors.url, snsPublish);
    expect(sns.status).toBe(500);
    expect(sns.body.toString()).toContain('<Type>Receiver</Type><Code>InternalError</Code>');
    const slack = await send(errors.url, slackPost);
    expect([slack.status, slack.body.toString()]).toEqual([500, 'internal_error']);

    const unavailable = await proxyTo(upstream, { rate: 1, kinds: ['unavailable'] });
    const d503 = await send(unavailable.url, dynamoPut);
    expect(d503.status).toBe(503);
    expect(JSON.parse(d503.body.toString()).__type).toBe('ServiceUnavailable');
    expect((await send(unavailable.url, snsPublish)).body.toString()).toContain('<Code>ServiceUnavailable</Code>');
    expect((await send(unavailable.url, slackPost)).status).toBe(503);
    expect(upstream.received).toEqual([]);
  });

  it('reset destroys the connection: the client sees a connection reset, the upstream nothing', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['reset'] });
    const error = await send(proxy.url, dynamoPut).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error).toBeDefined();
    expect(error!.code === 'ECONNRESET' || /socket hang up/.test(error!.message)).toBe(true);
    expect(upstream.received).toEqual([]);
    expect(proxy.counts().byKind).toEqual({ reset: 1 });
  });

  it('timeout holds the request for timeoutMs, then closes it without an answer', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['timeout'], timeoutMs: 200 });
    const started = Date.now();
    const error = await send(proxy.url, snsPublish).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    const waited = Date.now() - started;
    expect(error).toBeDefined();
    expect(error!.code === 'ECONNRESET' || /socket hang up/.test(error!.message)).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(2_000);
    expect(upstream.received).toEqual([]);
  });

  it('stop() releases requests it is still holding', async () => {
    const upstream = await startUpstream();
    const proxy = await startFaultProxy({ upstream: upstream.url, seed: 1, rate: 1, kinds: ['timeout'], timeoutMs: 60_000 });
    const pending = send(proxy.url, dynamoPut).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await proxy.stop();
    expect(await pending).toBe('closed');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  describe('determinism', () => {
    const mix = [dynamoPut, ecsTags, snsPublish, cloudwatchQuery, slackPost];

    /** 200 sequential requests; what the client saw for each: a status, or 'reset'/'timeout' when the connection closed. */
    async function run(seed: number, upstream: Upstream, proxy?: FaultProxy): Promise<{ outcomes: string[]; proxy: FaultProxy }> {
      const p = proxy ?? (await proxyTo(upstream, { seed, rate: 0.3, timeoutMs: 20 }));
      const outcomes: string[] = [];
      for (let i = 0; i < 200; i++) {
        const started = Date.now();
        const outcome = await send(p.url, { path: `/r/${i}`, ...mix[i % mix.length]! }).then(
          (reply) => String(reply.status),
          () => (Date.now() - started >= 15 ? 'timeout' : 'reset'),
        );
        outcomes.push(outcome);
      }
      return { outcomes, proxy: p };
    }

    it('the same seed gives the same faults for the same requests; another seed, other faults; counts add up', async () => {
      const upstream = await startUpstream();
      const first = await run(42, upstream);
      const second = await run(42, upstream);
      const other = await run(43, upstream);

      const faults = (p: FaultProxy) => p.history().map((r) => r.fault);
      expect(faults(second.proxy)).toEqual(faults(first.proxy));
      expect(second.outcomes).toEqual(first.outcomes);
      expect(faults(other.proxy)).not.toEqual(faults(first.proxy));

      // What the client saw agrees with what the proxy says it did.
      const expected = first.proxy.history().map((r, i) => {
        if (r.fault === null) return '201';
        if (r.fault === 'reset' || r.fault === 'timeout') return r.fault;
        const service = ['dynamodb', 'ecs', 'sns', 'monitoring', 'http'][i % 5];
        if (r.fault === 'throttle') return service === 'http' ? '429' : '400';
        return r.fault === 'server-error' ? '500' : '503';
      });
      expect(first.outcomes).toEqual(expected);

      const counts = first.proxy.counts();
      expect(counts.total).toBe(200);
      expect(counts.faulted).toBeGreaterThan(35);
      expect(counts.faulted).toBeLessThan(85);
      const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
      expect(sum(counts.byKind)).toBe(counts.faulted);
      expect(sum(counts.byService)).toBe(counts.faulted);
      expect(sum(Object.fromEntries(Object.entries(counts.byServiceAndKind).map(([s, k]) => [s, sum(k)])))).toBe(counts.faulted);
      expect(sum(counts.requestsByService)).toBe(200);
      expect(Object.keys(counts.byKind).sort()).toEqual(['reset', 'server-error', 'throttle', 'timeout', 'unavailable']);
      for (const [service, byKind] of Object.entries(counts.byServiceAndKind)) expect(sum(byKind)).toBe(counts.byService[service]);
      // Every request not faulted reached the upstream, and only those.
      const forwarded = (p: FaultProxy) => p.history().filter((r) => r.fault === null).length;
      expect(upstream.received.length).toBe(forwarded(first.proxy) + forwarded(second.proxy) + forwarded(other.proxy));
      expect(counts.total - counts.faulted).toBe(forwarded(first.proxy));

      // reset() restarts the PRNG: the same proxy replays the same faults.
      first.proxy.reset();
      expect(first.proxy.counts()).toMatchObject({ total: 0, faulted: 0, byKind: {} });
      const replay = await run(42, upstream, first.proxy);
      expect(replay.outcomes).toEqual(first.outcomes);
      expect(first.proxy.counts()).toEqual(counts);
    });

    it('setRate changes the rate without shifting which kind each later request would get', async () => {
      const upstream = await startUpstream();
      const proxy = await proxyTo(upstream, { seed: 5, rate: 0, kinds: ['throttle', 'server-error'] });
      for (let i = 0; i < 10; i++) await send(proxy.url, dynamoPut);
      proxy.setRate(1);
      for (let i = 0; i < 10; i++) await send(proxy.url, dynamoPut);
      expect(() => proxy.setRate(-0.1)).toThrow(/rate/);

      // Recompute from the PRNG: two draws per request, the kind from the second.
      const random = mulberry32(5);
      const kinds: (string | null)[] = [];
      for (let i = 0; i < 20; i++) {
        random();
        const kindDraw = random();
        kinds.push(i < 10 ? null : kindDraw < 0.5 ? 'throttle' : 'server-error');
      }
      expect(proxy.history().map((r) => r.fault)).toEqual(kinds);
      expect(upstream.received.length).toBe(10);
    });
  });
});

describe('the AWS SDK classifies injected faults as it would real ones', () => {
  const sdk = (proxy: FaultProxy, maxAttempts = 1) => ({
    endpoint: proxy.url,
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

  async function caught(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; $fault?: string; $retryable?: { throttling?: boolean } }> {
    try {
      await promise;
    } catch (error) {
      return error as never;
    }
    throw new Error('expected the call to fail');
  }

  it('DynamoDB throttle: ProvisionedThroughputExceededException, a throttling error', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['throttle'] });
    const error = await caught(new DynamoDBClient(sdk(proxy)).send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } })));
    expect(error.name).toBe('ProvisionedThroughputExceededException');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.$fault).toBe('client');
    expect(isThrottlingError(error as never)).toBe(true);
    expect(proxy.counts().byServiceAndKind).toEqual({ dynamodb: { throttle: 1 } });
    expect(proxy.history()[0]!.operation).toBe('DynamoDB_20120810.PutItem');
    expect(upstream.received).toEqual([]);
  });

  it('SNS throttle (query protocol): Throttling, a throttling error', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['throttle'] });
    const error = await caught(new SNSClient(sdk(proxy)).send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hi' })));
    expect(error.name).toBe('Throttling');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(isThrottlingError(error as never)).toBe(true);
    expect(proxy.history()[0]).toMatchObject({ service: 'sns', operation: 'Publish' });
  });

  it('ECS, SQS and CloudWatch (JSON, the last two query-compatible) throttles are throttling errors', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['throttle'] });
    const ecs = await caught(new ECSClient(sdk(proxy)).send(new ListClustersCommand({})));
    expect(ecs.name).toBe('ThrottlingException');
    expect(isThrottlingError(ecs as never)).toBe(true);
    const sqs = await caught(new SQSClient(sdk(proxy)).send(new SendMessageCommand({ QueueUrl: `${proxy.url}/123456789012/q`, MessageBody: 'x' })));
    expect(sqs.name).toBe('ThrottlingException');
    expect(isThrottlingError(sqs as never)).toBe(true);
    const cloudwatch = await caught(new CloudWatchClient(sdk(proxy)).send(new PutMetricDataCommand({ Namespace: 'x', MetricData: [{ MetricName: 'm', Value: 1 }] })));
    expect(cloudwatch.name).toBe('Throttling');
    expect(isThrottlingError(cloudwatch as never)).toBe(true);
    expect(proxy.counts().byService).toEqual({ ecs: 1, sqs: 1, monitoring: 1 });
    expect(proxy.history().map((r) => r.operation)).toEqual(['AmazonEC2ContainerServiceV20141113.ListClusters', 'AmazonSQS.SendMessage', 'GraniteServiceVersion20100801.PutMetricData']);
  });

  it('500 and 503 are transient: the SDK retries them (every attempt goes through the proxy)', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['server-error', 'unavailable'] });
    const error = await caught(new DynamoDBClient(sdk(proxy, 3)).send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } })));
    expect([500, 503]).toContain(error.$metadata?.httpStatusCode);
    expect(isTransientError(error as never)).toBe(true);
    expect(error.$metadata?.attempts).toBe(3);
    expect(proxy.counts()).toMatchObject({ total: 3, faulted: 3 });
    expect(upstream.received).toEqual([]);
  });

  it('a reset is a transient network error to the SDK', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyTo(upstream, { rate: 1, kinds: ['reset'] });
    const error = await caught(new ECSClient(sdk(proxy)).send(new ListClustersCommand({})));
    expect(isTransientError(error as never)).toBe(true);
  });
});
