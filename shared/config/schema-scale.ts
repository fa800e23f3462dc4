// The `scale` section of autopilot.yml: per ECS service, any number of scaling policies (the
// highest count wins, as in KEDA) and the behaviour that keeps them from flapping or doing harm.
import * as z from 'zod/mini';
import { isTimeZone, parseCron } from '../decide/scaling/cron.js';
import { duration } from './schema-duration.js';

const about = (description: string) => z.describe(description);
const count = z.int().check(z.minimum(0), z.maximum(10_000));
const positive = z.number().check(z.positive());

function cronProblem(expression: string): string | undefined {
  try {
    parseCron(expression);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) or a queue name. */
const queue = z.string().check(
  z.regex(/^(https?:\/\/\S+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?|[A-Za-z0-9_-]{1,80}(\.fifo)?)$/, 'an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) or queue name'),
);

const sqsBacklogPolicy = z
  .strictObject({
    type: z.literal('sqs-backlog'),
    queue,
    targetPerTask: positive.check(about('Messages one running task may have waiting: desired = ceil(backlog / targetPerTask).')),
    includeInFlight: z._default(z.boolean().check(about('Count messages being processed (ApproximateNumberOfMessagesNotVisible) as backlog too.')), false),
    activationThreshold: z._default(z.number().check(z.minimum(0), about('With scaleToZero: a backlog above this wakes the service from zero.')), 0),
  })
  .check(about('Backlog per task on an SQS queue, the pattern AWS recommends for queue workers.'));

const metricStat = z.strictObject({
  namespace: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  dimensions: z._default(z.record(z.string(), z.string()), {}),
  stat: z._default(z.string().check(z.minLength(1), about('Average, Sum, Maximum, p90, ...')), 'Average'),
  periodSeconds: z._default(z.int().check(z.minimum(1)), 60),
});

const metricPolicy = z
  .strictObject({
    type: z.literal('metric'),
    metric: z.optional(metricStat.check(about('One CloudWatch metric.'))),
    expression: z.optional(z.string().check(z.minLength(1), about('A CloudWatch metric-math expression over the metrics named under `metrics` (e.g. "m1 / m2").'))),
    metrics: z._default(z.record(z.string().check(z.regex(/^[a-z][A-Za-z0-9_]*$/, 'a metric id: lower-case first letter, then letters, digits, _')), metricStat), {}),
    targetPerTask: positive.check(about('Value one task should carry: desired = ceil(value / targetPerTask).')),
    activationThreshold: z._default(z.number().check(about('With scaleToZero: a value above this wakes the service from zero.')), 0),
    lookbackSeconds: z._default(z.int().check(z.minimum(60), z.maximum(86_400)), 300),
  })
  .check(
    z.refine((p) => (p.metric ? 1 : 0) + (p.expression ? 1 : 0) === 1, 'a metric policy has exactly one of metric or expression'),
    z.refine((p) => !p.expression || Object.keys(p.metrics).length > 0, 'an expression needs the metrics it uses under metrics'),
    about('Target tracking on any CloudWatch metric or metric-math expression; the newest datapoint is used.'),
  );

const schedulePolicy = z
  .strictObject({
    type: z.literal('schedule'),
    cron: z.string().check(z.refine((c) => cronProblem(c) === undefined, 'a 5-field cron: minute hour day-of-month month day-of-week, e.g. "0 8 * * MON-FRI"')),
    duration: duration.check(about('How long the window stays open after each cron match.')),
    timezone: z._default(z.string().check(z.refine(isTimeZone, 'an IANA time zone such as Europe/Berlin or UTC')), 'UTC'),
    min: z.optional(count.check(about('Minimum while the window is open.'))),
    max: z.optional(count.check(about('Maximum while the window is open.'))),
  })
  .check(
    z.refine((p) => p.min !== undefined || p.max !== undefined, 'a schedule sets min, max or both'),
    about('A time window that sets min and/or max (business hours, batch windows).'),
  );

export const scalingPolicySchema = z.discriminatedUnion('type', [sqsBacklogPolicy, metricPolicy, schedulePolicy]);

/** "25%" or a count of tasks. */
const step = z.pipe(
  z.union([z.int().check(z.minimum(1)), z.string().check(z.regex(/^\d{1,4}%$/, 'a count of tasks or a percentage such as 50%'))]),
  z.transform((value: number | string) => (typeof value === 'number' ? { tasks: value } : { percent: Number(value.slice(0, -1)) })),
);

const directionSchema = (what: string, defaults: { stabilization: number; cooldown: number; maxStep: { tasks: number } | { percent: number } }) =>
  z._default(
    z.strictObject({
      stabilizationWindow: z._default(duration.check(about(`The ${what} count is the ${what === 'scale-out' ? 'lowest' : 'highest'} recommendation of this window (as Kubernetes HPA behavior).`)), defaults.stabilization),
      cooldown: z._default(duration.check(about(`No ${what} sooner than this after the last ${what === 'scale-out' ? 'scale-out' : 'scaling action'}.`)), defaults.cooldown),
      maxStep: z._default(step.check(about(`Most tasks added or removed per decision: a count, or a percentage of the current count (at least 1 task).`)), defaults.maxStep as { tasks: number }),
    }),
    { stabilizationWindow: defaults.stabilization, cooldown: defaults.cooldown, maxStep: defaults.maxStep } as { stabilizationWindow: number; cooldown: number; maxStep: { tasks: number; percent?: undefined } },
  );

export const scaledServiceSchema = z
  .strictObject({
    cluster: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, 'a cluster name')),
    service: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, 'a service name')),
    min: z._default(count.check(about('Fewest tasks while active (scaleToZero may go below it when idle).')), 1),
    max: count.check(about('Most tasks, ever.')),
    policies: z.array(scalingPolicySchema).check(z.minLength(1), about('Any number of policies; the highest desired count wins.')),
    scaleOut: directionSchema('scale-out', { stabilization: 0, cooldown: 0, maxStep: { percent: 100 } }),
    scaleIn: directionSchema('scale-in', { stabilization: 300, cooldown: 300, maxStep: { tasks: 1 } }),
    tolerance: z._default(
      z.number().check(z.minimum(0), z.maximum(0.5), about('No change while the demand (value / targetPerTask) is within this fraction of the current count (Kubernetes HPA: 0.1).')),
      0.1,
    ),
    scaleToZero: z.optional(
      z
        .strictObject({
          idleFor: z._default(duration.check(about('Every load policy at or under its activation threshold this long: go to zero.')), 900),
          activationCount: z._default(z.int().check(z.minimum(1)), 1),
        })
        .check(about('Scale to zero when idle; the first message (or value above an activation threshold) wakes the service to activationCount.')),
    ),
    missingData: z._default(
      z.strictObject({
        fallbackCount: z.optional(count.check(about('When no metric can be read: at least this many tasks (never fewer than now).'))),
        notifyAfter: z._default(duration.check(about('Notify once when a load policy has been unreadable this long (the count cannot scale in meanwhile).')), 900),
      }),
      { notifyAfter: 900 },
    ),
    paused: z._default(z.boolean().check(about('Freeze the count (as the ecs-autopilot:scale-paused service tag does).')), false),
    onScalableTarget: z._default(
      z.enum(['adjust', 'refuse']).check(about('When Application Auto Scaling has a scalable target for the service: adjust its min capacity (adjust), or do nothing and say so (refuse).')),
      'adjust',
    ),
    notifyAtMaxAfter: z._default(duration.check(about('Notify once when demand has exceeded max this long.')), 900),
    alarms: z._default(z.array(z.string().check(z.minLength(1))).check(about('CloudWatch alarms whose state changes re-evaluate this service at once.')), []),
  })
  .check(
    z.refine((s) => s.min <= s.max, 'min must not exceed max'),
    about('One ECS service scaled by ecs-autopilot.'),
  );

export const scaleSchema = z
  .strictObject({
    rate: z._default(duration.check(about('How often every service is evaluated (at least 60 s, whole minutes).')), 60),
    services: z._default(z.array(scaledServiceSchema), []),
  })
  .check(
    z.refine((s) => s.rate >= 60 && s.rate % 60 === 0, 'rate must be whole minutes, at least 1m'),
    z.refine((s) => new Set(s.services.map((x) => `${x.cluster}/${x.service}`)).size === s.services.length, 'each cluster/service is listed once (put all its policies under one entry)'),
    about('Custom scaling of ECS services: backlog per task, any metric, schedules, scale to zero.'),
  );

export type ScaleConfig = z.output<typeof scaleSchema>;
export type ScaledService = z.output<typeof scaledServiceSchema>;
export type ScalingPolicy = z.output<typeof scalingPolicySchema>;
export type MetricStat = z.output<typeof metricStat>;
