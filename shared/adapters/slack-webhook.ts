// Posts a message to a Slack incoming webhook within the invocation's remaining time. The URL is a
// credential (anyone holding it can post to the channel), so it never appears in an error: errors
// show only its host and first path segment ("hooks.slack.com/services/…").
// Retries stay short and inside the deadline; when Slack needs longer (a long Retry-After), the
// error fails the invocation and Lambda's own retry, then the dead-letter queue, take over.

export interface Deadline {
  remainingMs(): number;
}

export interface SlackWebhookSender {
  post(url: string, payload: unknown, deadline: Deadline): Promise<{ status: number; attempts: number }>;
}

export interface SlackWebhookOptions {
  fetch?: typeof fetch;
  /** Injected so tests can record waits instead of sleeping through them. */
  sleep?: (ms: number) => Promise<void>;
  /** Per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** Source of jitter in [0, 1); Math.random unless a test needs it fixed. */
  random?: () => number;
}

/** A Slack post that failed; `status` is Slack's HTTP status, absent when Slack never answered. */
export class SlackWebhookError extends Error {
  override name = 'SlackWebhookError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/** Slack asked for a pause longer than the invocation can wait: fail it and let Lambda retry later. */
export class SlackRateLimitedError extends SlackWebhookError {
  override name = 'SlackRateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    attempts: number,
  ) {
    super(message, 429, attempts);
  }
}

const MAX_ATTEMPTS = 3;
// Time left after the last wait for the handler to record the outcome before Lambda kills it.
const SAFETY_MARGIN_MS = 1_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 2_000;
// Slack always sends Retry-After with a 429; if a proxy drops it, one second is Slack's usual pace.
const DEFAULT_RETRY_AFTER_SECONDS = 1;

// Slack's error words for a webhook that will never work again: retrying cannot help, a person must.
const DEAD_WEBHOOK = new Set(['no_service', 'no_team', 'no_active_hooks', 'invalid_token', 'channel_not_found', 'channel_is_archived', 'action_prohibited']);

/** The webhook as it may be shown: host and first path segment, never the token-bearing rest. */
export function redactWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // URL's own error carries the input; say only what is wrong.
    throw new SlackWebhookError('the Slack webhook URL is not a valid URL (not shown: it is a secret); check the secret it was read from', undefined, 0);
  }
  const first = parsed.pathname.split('/').find((segment) => segment !== '');
  return first ? `${parsed.host}/${first}/…` : `${parsed.host}/…`;
}

type Attempt =
  | { kind: 'delivered'; status: number }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'retryable'; status?: number; reason: string }
  | { kind: 'rejected'; status: number; text: string };

export function createSlackWebhookSender(options: SlackWebhookOptions = {}): SlackWebhookSender {
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const random = options.random ?? Math.random;

  async function attemptOnce(url: string, body: string, budgetMs: number, scrub: (text: string) => string): Promise<Attempt> {
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(budgetMs),
      });
      // Always read the body: it frees the connection, and Slack's errors are in it ("invalid_payload").
      const text = scrub((await response.text()).trim().slice(0, 200));
      if (response.ok) return { kind: 'delivered', status: response.status };
      if (response.status === 429) {
        const header = Number(response.headers.get('retry-after') ?? Number.NaN);
        return { kind: 'rate-limited', retryAfterSeconds: Number.isFinite(header) && header >= 0 ? header : DEFAULT_RETRY_AFTER_SECONDS };
      }
      if (response.status < 500) return { kind: 'rejected', status: response.status, text };
      return { kind: 'retryable', status: response.status, reason: `${response.status}${text ? ` ${text}` : ''}` };
    } catch (error) {
      const { name, cause } = error as Error & { cause?: { code?: string } };
      // Only names and codes: a network error's message may include the address it tried.
      const reason = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${budgetMs} ms` : `not reachable (${cause?.code ?? name})`;
      return { kind: 'retryable', reason };
    }
  }

  return {
    async post(url, payload, deadline) {
      const shown = redactWebhookUrl(url);
      // In case a body or an error ever echoes the URL back.
      const scrub = (text: string) => text.split(url).join(shown);
      const body = JSON.stringify(payload);
      let last = 'no attempt made';
      let lastStatus: number | undefined;
      for (let attempt = 1; ; attempt += 1) {
        const budgetMs = Math.min(timeoutMs, deadline.remainingMs() - SAFETY_MARGIN_MS);
        if (budgetMs <= 0) {
          throw new SlackWebhookError(`Slack webhook ${shown}: no time left in this invocation for attempt ${attempt} (last: ${last})`, lastStatus, attempt - 1);
        }
        const result = await attemptOnce(url, body, budgetMs, scrub);
        if (result.kind === 'delivered') return { status: result.status, attempts: attempt };
        if (result.kind === 'rejected') {
          const fix = DEAD_WEBHOOK.has(result.text) ? 'the webhook or its channel is gone: create a new webhook and update the secret' : 'Slack will not accept this message as sent';
          throw new SlackWebhookError(`Slack rejected the message to ${shown} with ${result.status} ${result.text || '(no body)'}: ${fix}`, result.status, attempt);
        }
        if (result.kind === 'rate-limited') {
          const waitMs = result.retryAfterSeconds * 1000;
          if (attempt < MAX_ATTEMPTS && waitMs <= deadline.remainingMs() - SAFETY_MARGIN_MS) {
            await sleep(waitMs);
            continue;
          }
          throw new SlackRateLimitedError(
            `Slack rate-limited posts to ${shown} (Retry-After ${result.retryAfterSeconds} s, attempt ${attempt}); the invocation fails so that Lambda retries the event later`,
            result.retryAfterSeconds,
            attempt,
          );
        }
        last = result.reason;
        lastStatus = result.status;
        // Full jitter: many functions failing together must not retry in step.
        const delayMs = Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
        if (attempt >= MAX_ATTEMPTS || delayMs >= deadline.remainingMs() - SAFETY_MARGIN_MS) {
          throw new SlackWebhookError(`Slack webhook ${shown} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${last}`, lastStatus, attempt);
        }
        await sleep(delayMs);
      }
    },
  };
}
