// A deterministic fault-injecting HTTP proxy for tests and the soak: put it between the code under
// test and the AWS emulator (or the local Slack receiver) and a seeded share of requests fails the
// way AWS or Slack fail: throttled, 500, 503, a hung connection, a reset connection.
//
// What it models, and what it does not. A faulted request is answered (or dropped) by the proxy
// itself and is NEVER forwarded: the service never saw it, so the outcome is unambiguous: nothing
// happened, and a retry is always safe. That is the failure that throttling, 5xx answered before
// work starts, connection resets and connect/read timeouts usually are. It cannot model the
// ambiguous failure: the service acted (the item was written, the message published, the service
// rolled back) and the response was lost on the way back. Proving idempotency under that needs a
// different fault (forward, then drop the answer), which this proxy deliberately does not inject.
//
// Determinism: requests are numbered in arrival order, and each one takes exactly two draws from a
// mulberry32 PRNG seeded with `seed`: the first decides whether it is faulted (draw < rate), the
// second which kind (among `kinds`). Two draws are taken even when the request is not faulted, so
// request n always gets the same pair whatever the rate was for earlier requests; the same seed and
// the same sequence of requests give the same faults.
//
// Loopback only: the proxy listens on a loopback address and refuses a non-loopback upstream.
import { request as httpRequest, Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type FaultKind = 'throttle' | 'server-error' | 'unavailable' | 'timeout' | 'reset';

export const ALL_FAULT_KINDS: readonly FaultKind[] = ['throttle', 'server-error', 'unavailable', 'timeout', 'reset'];

export interface FaultProxyOptions {
  /** Where unfaulted requests go, e.g. the emulator's URL. Must be a loopback http(s) URL. */
  upstream: string;
  seed: number;
  /** Probability in [0, 1] that a request is faulted. */
  rate: number;
  /** Kinds to choose from, uniformly; default all five. */
  kinds?: FaultKind[];
  /** How long a 'timeout' fault holds a request before destroying the socket; default 6000 ms. */
  timeoutMs?: number;
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Forward the client's Host header as is instead of rewriting it to the upstream's. */
  preserveHost?: boolean;
  /** How many request records history() keeps (the newest); default 10 000. */
  historyLimit?: number;
}

export interface FaultCounts {
  /** Every request the proxy received, faulted or not. */
  total: number;
  /** Requests answered by an injected fault (never forwarded). */
  faulted: number;
  /** Injected faults by kind. */
  byKind: Record<string, number>;
  /** Injected faults by service (SigV4 credential scope, or 'http'). */
  byService: Record<string, number>;
  /** Injected faults by service, then kind. */
  byServiceAndKind: Record<string, Record<string, number>>;
  /** Every request by service, faulted or not. */
  requestsByService: Record<string, number>;
  /** Forwarded requests that broke between the client and the upstream (answered 502, cut, or given up by the client before the answer): not injected. */
  upstreamErrors: number;
}

export interface FaultRecord {
  /** 0-based arrival number since start or the last reset(). */
  seq: number;
  method: string;
  path: string;
  service: string;
  /** X-Amz-Target operation or query Action, when there is one. */
  operation: string | undefined;
  fault: FaultKind | null;
}

/** A forwarded request whose answer never reached the client (counted in upstreamErrors): the upstream may have carried it out. */
export interface LostAnswer {
  service: string;
  path: string;
  /** The request body as sent (UTF-8), to tell what the lost call was about. */
  body: string;
}

export interface FaultProxy {
  url: string;
  setRate(rate: number): void;
  counts(): FaultCounts;
  /** The forwarded requests whose answers were lost (upstreamErrors), oldest first. */
  lostAnswers(): LostAnswer[];
  /** What happened to each request, in arrival order (at most historyLimit, the newest). */
  history(): FaultRecord[];
  /** Zeroes the counts and the history, and restarts the PRNG from the seed. */
  reset(): void;
  stop(): Promise<void>;
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h.replace(/^::ffff:/, ''));
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}

/** The service of a SigV4-signed request, from its credential scope; 'http' when unsigned. */
export function serviceOf(headers: IncomingHttpHeaders, url: string): string {
  const authorization = headerValue(headers, 'authorization');
  const fromHeader = authorization && /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(authorization);
  if (fromHeader) return fromHeader[1]!.toLowerCase();
  // Presigned URLs carry the scope in the query string.
  const query = url.includes('?') ? new URLSearchParams(url.slice(url.indexOf('?') + 1)) : undefined;
  const credential = query?.get('X-Amz-Credential');
  const fromQuery = credential && /^[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request$/.exec(credential);
  if (fromQuery) return fromQuery[1]!.toLowerCase();
  return 'http';
}

/** The operation: X-Amz-Target for JSON protocols, the Action form field for query protocols. */
export function operationOf(headers: IncomingHttpHeaders, body: Buffer): string | undefined {
  const target = headerValue(headers, 'x-amz-target');
  if (target) return target;
  if (isFormBody(headers, body)) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) return action;
  }
  return undefined;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isFormBody(headers: IncomingHttpHeaders, body: Buffer): boolean {
  const contentType = headerValue(headers, 'content-type') ?? '';
  return contentType.startsWith('application/x-www-form-urlencoded') || (contentType === '' && /^Action=/.test(body.subarray(0, 64).toString('latin1')));
}

type Protocol = 'json' | 'query' | 'ec2' | 'rest-xml' | 'http';

function protocolOf(service: string, headers: IncomingHttpHeaders, body: Buffer): Protocol {
  if (service === 'http') return 'http';
  if (headerValue(headers, 'x-amz-target')) return 'json';
  if (service === 'ec2') return 'ec2';
  if (isFormBody(headers, body)) return 'query';
  if (service === 's3') return 'rest-xml';
  // Other signed requests (rest-json services such as Lambda): AWS answers JSON with x-amzn-errortype.
  return 'json';
}

const QUERY_NAMESPACES: Record<string, string> = {
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  monitoring: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
  sqs: 'http://queue.amazonaws.com/doc/2012-11-05/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  elasticloadbalancing: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
};

interface ErrorSpec {
  status: number;
  /** JSON-protocol error code (also x-amzn-errortype). */
  jsonCode: string;
  /** Query-protocol error code (also x-amzn-query-error for query-compatible JSON services). */
  queryCode: string;
  type: 'Sender' | 'Receiver';
  message: string;
}

// Codes the SDK's retry strategy knows: ProvisionedThroughputExceededException, ThrottlingException
// and Throttling are in its THROTTLING_ERROR_CODES (retried as throttles, with the longer backoff);
// 500 and 503 are in TRANSIENT_ERROR_STATUS_CODES (retried as transient).
function errorSpec(kind: 'throttle' | 'server-error' | 'unavailable', service: string): ErrorSpec {
  switch (kind) {
    case 'throttle':
      return {
        status: 400,
        jsonCode: service === 'dynamodb' ? 'ProvisionedThroughputExceededException' : 'ThrottlingException',
        queryCode: 'Throttling',
        type: 'Sender',
        message: 'Rate exceeded',
      };
    case 'server-error':
      return {
        status: 500,
        jsonCode: service === 'dynamodb' ? 'InternalServerError' : 'InternalFailure',
        // CloudWatch's query code for its InternalServiceFault; the others use InternalError.
        queryCode: service === 'monitoring' ? 'InternalServiceError' : 'InternalError',
        type: 'Receiver',
        message: 'We encountered an internal error. Please try again.',
      };
    case 'unavailable':
      return { status: 503, jsonCode: 'ServiceUnavailable', queryCode: 'ServiceUnavailable', type: 'Receiver', message: 'Service is unavailable. Please try again later.' };
  }
}

interface FaultAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
}

/** The answer AWS (or Slack, for unsigned requests) would give, in the protocol the request used. */
function faultAnswer(kind: 'throttle' | 'server-error' | 'unavailable', service: string, protocol: Protocol, headers: IncomingHttpHeaders, requestId: string): FaultAnswer {
  if (protocol === 'http') {
    if (kind === 'throttle') return { status: 429, headers: { 'content-type': 'text/plain', 'retry-after': '1' }, body: 'rate_limited' };
    if (kind === 'server-error') return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal_error' };
    return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'service_unavailable' };
  }
  const spec = errorSpec(kind, service);
  switch (protocol) {
    case 'json': {
      const requested = headerValue(headers, 'content-type');
      const contentType = requested?.startsWith('application/x-amz-json-') ? requested : requested?.startsWith('application/json') ? 'application/json' : jsonContentTypeFor(service);
      const out: OutgoingHttpHeaders = { 'content-type': contentType, 'x-amzn-errortype': spec.jsonCode, 'x-amzn-requestid': requestId };
      // Query-compatible JSON services (SQS, CloudWatch) also say the query-protocol code.
      if (headerValue(headers, 'x-amzn-query-mode') === 'true') out['x-amzn-query-error'] = `${service === 'monitoring' ? spec.queryCode : spec.jsonCode};${spec.type}`;
      return { status: spec.status, headers: out, body: JSON.stringify({ __type: spec.jsonCode, message: spec.message }) };
    }
    case 'query': {
      const ns = QUERY_NAMESPACES[service];
      const xmlns = ns ? ` xmlns="${ns}"` : '';
      return {
        status: spec.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<ErrorResponse${xmlns}><Error><Type>${spec.type}</Type><Code>${spec.queryCode}</Code><Message>${spec.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    case 'ec2': {
      const code = kind === 'throttle' ? 'RequestLimitExceeded' : kind === 'server-error' ? 'InternalError' : 'Unavailable';
      const status = kind === 'throttle' ? 503 : spec.status;
      return {
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${spec.message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    }
    case 'rest-xml': {
      // S3 throttles with 503 SlowDown.
      const code = kind === 'throttle' ? 'SlowDown' : kind === 'server-error' ? 'InternalError' : 'ServiceUnavailable';
      const status = kind === 'throttle' ? 503 : spec.status;
      return {
        status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${spec.message}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
    }
  }
}

function jsonContentTypeFor(service: string): string {
  return ['dynamodb', 'sqs', 'monitoring', 'streams.dynamodb'].includes(service) ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
}

/** A request id derived from the arrival number, so faulted answers are byte-for-byte reproducible. */
function requestIdFor(seq: number): string {
  return `fa017000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`;
}

// Hop-by-hop headers belong to one connection and are not forwarded. `expect` is dropped too: the
// proxy's own server has already answered 100-continue.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect']);

function forwardedRawHeaders(raw: string[], upstreamHost: string | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === 'host' && upstreamHost !== undefined) {
      out.push(name, upstreamHost);
      continue;
    }
    out.push(name, raw[i + 1]!);
  }
  return out;
}

function responseRawHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

function validateRate(rate: number): number {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new Error(`fault proxy: rate must be a number in [0, 1], got ${String(rate)}`);
  return rate;
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

function emptyCounts(): FaultCounts {
  return { total: 0, faulted: 0, byKind: {}, byService: {}, byServiceAndKind: {}, requestsByService: {}, upstreamErrors: 0 };
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let upstream: URL;
  try {
    upstream = new URL(options.upstream);
  } catch {
    throw new Error(`fault proxy: upstream is not a URL: ${options.upstream}`);
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new Error(`fault proxy: upstream must be http(s), got ${upstream.protocol}`);
  if (!isLoopbackHost(upstream.hostname)) throw new Error(`fault proxy: upstream must be on loopback, got ${upstream.hostname}`);
  const listenHost = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(listenHost)) throw new Error(`fault proxy: host must be a loopback address (127.x.x.x, ::1 or localhost), got ${listenHost}`);
  const kinds = options.kinds ?? [...ALL_FAULT_KINDS];
  if (kinds.length === 0 || kinds.some((k) => !ALL_FAULT_KINDS.includes(k))) throw new Error(`fault proxy: kinds must be a non-empty subset of ${ALL_FAULT_KINDS.join(', ')}`);
  const timeoutMs = options.timeoutMs ?? 6_000;
  const historyLimit = options.historyLimit ?? 10_000;
  let rate = validateRate(options.rate);
  let random = mulberry32(options.seed);
  let seq = 0;
  let counts = emptyCounts();
  let history: FaultRecord[] = [];
  let lostAnswers: LostAnswer[] = [];

  const basePath = upstream.pathname.replace(/\/+$/, '');
  const upstreamHost = options.preserveHost ? undefined : upstream.host;
  const isHttps = upstream.protocol === 'https:';
  // A fresh upstream connection per request: a pooled socket the upstream has quietly closed would
  // surface as a reset nobody injected, and the counts would no longer be the whole truth.
  const agent = isHttps ? new HttpsAgent({ keepAlive: false }) : new Agent({ keepAlive: false });
  const held = new Set<{ timer: NodeJS.Timeout; socket: Socket }>();

  function record(entry: FaultRecord): void {
    history.push(entry);
    if (history.length > historyLimit) history.splice(0, history.length - historyLimit);
  }

  function forward(request: IncomingMessage, response: ServerResponse, body: Buffer, service: string): void {
    // Counted once per request, whichever way it broke (the upstream failed, or the client left).
    let broken = false;
    const countBroken = () => {
      if (!broken) {
        broken = true;
        counts.upstreamErrors += 1;
        lostAnswers.push({ service, path: request.url ?? '/', body: body.toString('utf8') });
      }
    };
    const outgoing = (isHttps ? httpsRequest : httpRequest)({
      protocol: upstream.protocol,
      hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.port || (isHttps ? 443 : 80),
      method: request.method,
      path: basePath + (request.url ?? '/'),
      headers: forwardedRawHeaders(request.rawHeaders, upstreamHost) as unknown as OutgoingHttpHeaders,
      agent,
    });
    outgoing.on('response', (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, responseRawHeaders(upstreamResponse.rawHeaders));
      upstreamResponse.pipe(response);
      upstreamResponse.on('error', () => {
        countBroken();
        response.destroy();
      });
    });
    outgoing.on('error', (error) => {
      countBroken();
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`fault proxy: upstream error: ${error.message}`);
      } else {
        response.destroy();
      }
    });
    // The client gave up (its own timeout) while the upstream had the request: the upstream may
    // well carry it out, and its answer is lost. Counted, and the upstream call is not left dangling.
    response.on('close', () => {
      if (!response.writableFinished) {
        countBroken();
        outgoing.destroy();
      }
    });
    outgoing.end(body);
  }

  const server = createServer((request, response) => {
    // Decide at arrival, in arrival order: the draws do not depend on when the body finishes.
    const n = seq++;
    const faultDraw = random();
    const kindDraw = random();
    const fault: FaultKind | null = faultDraw < rate ? kinds[Math.min(kinds.length - 1, Math.floor(kindDraw * kinds.length))]! : null;
    const url = request.url ?? '/';
    const service = serviceOf(request.headers, url);
    counts.total += 1;
    bump(counts.requestsByService, service);
    if (fault) {
      counts.faulted += 1;
      bump(counts.byKind, fault);
      bump(counts.byService, service);
      bump((counts.byServiceAndKind[service] ??= {}), fault);
    }
    // Read the whole request first, even for a fault: query protocols name their operation in the
    // body, and a reset or an error answer after the request is fully sent is what the client sees
    // from a real server (a reset mid-upload would show as EPIPE instead of ECONNRESET).
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      record({ seq: n, method: request.method ?? 'GET', path: url, service, operation: operationOf(request.headers, body), fault });
      // A faulted request is answered here and never forwarded: the service does not see it.
      switch (fault) {
        case null:
          forward(request, response, body, service);
          return;
        case 'reset':
          request.socket.destroy();
          return;
        case 'timeout': {
          const socket = request.socket;
          const entry = {
            socket,
            timer: setTimeout(() => {
              held.delete(entry);
              socket.destroy();
            }, timeoutMs),
          };
          held.add(entry);
          socket.once('close', () => {
            clearTimeout(entry.timer);
            held.delete(entry);
          });
          return;
        }
        default: {
          const answer = faultAnswer(fault, service, protocolOf(service, request.headers, body), request.headers, requestIdFor(n));
          response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
          response.end(answer.body);
        }
      }
    });
  });
  // Clients keep connections alive; the server must not close an idle one just as a client reuses
  // it, or the client sees a reset that was never injected.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    setRate(next: number) {
      rate = validateRate(next);
    },
    counts() {
      return structuredClone(counts);
    },
    history() {
      return history.map((entry) => ({ ...entry }));
    },
    lostAnswers() {
      return lostAnswers.map((entry) => ({ ...entry }));
    },
    reset() {
      counts = emptyCounts();
      history = [];
      lostAnswers = [];
      random = mulberry32(options.seed);
      seq = 0;
    },
    async stop() {
      for (const entry of held) {
        clearTimeout(entry.timer);
        entry.socket.destroy();
      }
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      agent.destroy();
    },
  };
}
