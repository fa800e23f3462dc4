// The only module that reads process.env. Everything else receives these values as arguments.

export interface RuntimeEnvironment {
  region: string;
  /** Points every AWS client at an emulator (moto) when set; AWS itself otherwise. */
  endpointUrl?: string;
  stateTable?: string;
  notifyTopicArn?: string;
  /** The SQS queue the pipeline sets its timers on (group flushes, agent checks). */
  timerQueueUrl?: string;
  /** The remediate function's own timer queue (agent re-checks, capacity restore checks). */
  remediateTimerQueueUrl?: string;
  /** Per-call deadline of AWS requests in ms (default 5000); the soak shortens it to inject timeouts quickly. */
  requestTimeoutMs?: number;
  stage?: string;
  /** The ship function, which ship.autoSubscribe subscribes log groups to. */
  shipFunctionArn?: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): RuntimeEnvironment {
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(env.AWS_ENDPOINT_URL ? { endpointUrl: env.AWS_ENDPOINT_URL } : {}),
    ...(env.STATE_TABLE ? { stateTable: env.STATE_TABLE } : {}),
    ...(env.NOTIFY_TOPIC_ARN ? { notifyTopicArn: env.NOTIFY_TOPIC_ARN } : {}),
    ...(env.TIMER_QUEUE_URL ? { timerQueueUrl: env.TIMER_QUEUE_URL } : {}),
    ...(env.REMEDIATE_TIMER_QUEUE_URL ? { remediateTimerQueueUrl: env.REMEDIATE_TIMER_QUEUE_URL } : {}),
    ...(Number(env.AUTOPILOT_REQUEST_TIMEOUT_MS) > 0 ? { requestTimeoutMs: Number(env.AUTOPILOT_REQUEST_TIMEOUT_MS) } : {}),
    ...(env.STAGE ? { stage: env.STAGE } : {}),
    ...(env.SHIP_FUNCTION_ARN ? { shipFunctionArn: env.SHIP_FUNCTION_ARN } : {}),
  };
}

/** A required setting, or an error that says which variable is missing and where it comes from. */
export function requireSetting<K extends keyof RuntimeEnvironment>(env: RuntimeEnvironment, key: K, variable: string): NonNullable<RuntimeEnvironment[K]> {
  const value = env[key];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${variable} is not set; serverless.yml sets it for deployed functions, tests and the demo set it themselves`);
  }
  return value as NonNullable<RuntimeEnvironment[K]>;
}

/** The configuration object embedded into a bundle at package time (see build/esbuild-options.cjs). */
declare const __AUTOPILOT_CONFIG__: unknown;
export function embeddedConfig(): unknown {
  return typeof __AUTOPILOT_CONFIG__ === 'undefined' ? undefined : __AUTOPILOT_CONFIG__;
}

/** Set (to true) by build/esbuild-options.cjs, which embeds the configuration only once it is validated. */
declare const __AUTOPILOT_CONFIG_VALIDATED__: boolean | undefined;
/** Whether the embedded configuration is the output of validateConfig (every packaged bundle); not so where a test sets a raw one. */
export function embeddedConfigIsValidated(): boolean {
  return typeof __AUTOPILOT_CONFIG_VALIDATED__ !== 'undefined' && __AUTOPILOT_CONFIG_VALIDATED__ === true;
}
