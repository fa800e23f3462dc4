// The one place AWS SDK clients are constructed. Handlers call this at module scope, so each
// client is created once per Lambda container; AWS_ENDPOINT_URL (read in config/environment.ts)
// points every client at the local emulator in tests and the demo.
import type { RuntimeEnvironment } from '../config/environment.js';

export interface AwsClientOptions {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}

export function awsClientOptions(env: RuntimeEnvironment): AwsClientOptions {
  return {
    region: env.region,
    ...(env.endpointUrl ? { endpoint: env.endpointUrl } : {}),
    // The SDK retries throttling and 5xx with backoff; a hung connection must not eat the whole
    // invocation, so every call has a deadline and the event is retried by Lambda instead.
    maxAttempts: 3,
    // throwOnRequestTimeout: without it the Node handler only logs a warning past requestTimeout.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: env.requestTimeoutMs ?? 5_000, throwOnRequestTimeout: true },
  };
}

export function createAwsClient<C>(Client: new (options: AwsClientOptions) => C, env: RuntimeEnvironment): C {
  return new Client(awsClientOptions(env));
}
