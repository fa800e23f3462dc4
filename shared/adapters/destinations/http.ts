// HTTP: OpenSearch / Elasticsearch _bulk, Grafana Loki push, or NDJSON to any endpoint; gzip
// optional; credentials read from SSM or Secrets Manager (secret-reader), never from the config.
// 2xx is delivered (for _bulk, item by item); 429, 5xx and network errors are retried by the
// executor; any other 4xx is final and its records go to the backup with the answer's first words.
import type { HttpDestinationConfig } from '../../config/schema-ship.js';
import type { IamGrant } from '../iam.js';
import { type SecretReader, secretReaderGrants } from '../secret-reader.js';
import { DeliveryError, type Destination } from './destination.js';
import { bodyBytesOf, bulkFailures, CONTENT_TYPE, formatBody, gzippedBody, LOKI_ENVELOPE_BYTES } from './http-formats.js';

export const httpDestinationGrants = (config: HttpDestinationConfig): IamGrant[] => (config.auth ? secretReaderGrants([config.auth.secret]) : []);

export interface HttpDependencies {
  secrets?: SecretReader;
  fetch?: typeof fetch;
  now: () => Date;
  /** Per request (default 10 s), cut to what the executor allows before the backup's reserve. */
  timeoutMs?: number;
}

/** The URL without path and query, so an error never shows a token someone put in the query string. */
const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
};

async function authorization(config: HttpDestinationConfig, deps: HttpDependencies): Promise<string | undefined> {
  if (!config.auth) return undefined;
  if (!deps.secrets) throw new DeliveryError('HTTP destination has auth but no secret reader was wired', false);
  const secret = await deps.secrets.read(config.auth.secret, deps.now());
  if (config.auth.type === 'basic') return `Basic ${Buffer.from(secret).toString('base64')}`;
  return `${config.auth.type === 'bearer' ? 'Bearer' : 'ApiKey'} ${secret}`;
}

export function createHttpDestination(name: string, config: HttpDestinationConfig, deps: HttpDependencies): Destination {
  const post = deps.fetch ?? fetch;
  const where = `${config.format} ${origin(config.url)}`;
  return {
    name,
    kind: 'http',
    // maxBatchBytes counts the request body as sent (before gzip): _bulk action lines and Loki's escaping included.
    limits: (() => {
      const max = config.format === 'loki' ? config.maxBatchBytes - Math.min(LOKI_ENVELOPE_BYTES, config.maxBatchBytes >> 2) : config.maxBatchBytes;
      const bodyBytes = bodyBytesOf(config.format, config.index);
      return { maxRecordsPerCall: 50_000, maxBytesPerCall: max, maxRecordBytes: max, ...(bodyBytes ? { bodyBytes } : {}) };
    })(),
    async send(chunk, options) {
      const body = config.gzip ? gzippedBody(config.format, config.index, chunk) : formatBody(config.format, config.index, chunk);
      const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[config.format] };
      const auth = await authorization(config, deps).catch((error: Error) => {
        throw error instanceof DeliveryError ? error : new DeliveryError(error.message, true);
      });
      if (auth) headers.authorization = auth;
      if (config.gzip) headers['content-encoding'] = 'gzip';
      let response: Response;
      try {
        response = await post(config.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(Math.max(1, Math.min(deps.timeoutMs ?? 10_000, options?.timeoutMs ?? Number.POSITIVE_INFINITY))) });
      } catch (error) {
        throw new DeliveryError(`HTTP ${where}: no answer (${(error as Error).name}: ${(error as Error).message})`, true);
      }
      const answer = await response.text().catch(() => '');
      if (!response.ok) {
        const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
        throw new DeliveryError(`HTTP ${where}: ${response.status} ${answer.slice(0, 200)}`.trim(), retryable);
      }
      if (config.format !== 'opensearch-bulk') return [];
      try {
        return bulkFailures(JSON.parse(answer));
      } catch {
        throw new DeliveryError(`HTTP ${where}: the _bulk answer is not JSON (${answer.slice(0, 80)})`, true);
      }
    },
  };
}
