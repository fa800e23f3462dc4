// The one configuration schema (autopilot.yml). Strict: an unknown key is an error that names it,
// so a typo never silently turns a safety setting off. The JSON Schema for editors
// (schema/autopilot.schema.json) is generated from this file by `npm run schema`, and a test
// fails when the generated file is stale. zod/mini keeps Lambda bundles small.
import * as z from 'zod/mini';
import { CAUSES, SEVERITIES } from '../decide/causes.js';
import { remediateSchema } from './schema-remediate.js';
import { ROUTE_LABELS, type RouteNode } from '../decide/route.js';
import { OPERABILITY_DEFAULTS, operabilitySchema } from './schema-operability.js';
import { duration } from './schema-duration.js';
import { scaleSchema } from './schema-scale.js';
import { shipSchema } from './schema-ship.js';

const about = (description: string) => z.describe(description);

/** Cluster names, or globs with `*` (`prod-*`). Cluster names use letters, digits, `-` and `_`. */
const clusterGlob = z.string().check(z.regex(/^[A-Za-z0-9_*-]{1,255}$/, 'a cluster name or a glob with * (letters, digits, - and _ only)'));

const causeOverrideSchema = z
  .strictObject({
    severity: z.optional(z.enum(SEVERITIES).check(about('Severity for tasks stopped for this cause.'))),
    notify: z.optional(z.boolean().check(about('Whether a task stopped for this cause sends a notification.'))),
  })
  .check(about('Overrides the defaults of one stop cause.'));

const causesShape = Object.fromEntries(CAUSES.map((cause) => [cause, z.optional(causeOverrideSchema)])) as {
  [K in (typeof CAUSES)[number]]: z.ZodMiniOptional<typeof causeOverrideSchema>;
};

const clustersSchema = z
  .strictObject({
    include: z._default(
      z.array(clusterGlob).check(z.minLength(1), about('Clusters to watch, by name or glob. Default: every cluster of the account and region.')),
      ['*'],
    ),
    exclude: z._default(
      z.array(clusterGlob).check(about('Clusters never to watch, even if included. Goes into the EventBridge patterns, so their events cost nothing.')),
      [],
    ),
  })
  .check(about('Which clusters ecs-autopilot watches.'));

const labelName = z.enum(ROUTE_LABELS);
/** Labels to match, each a value or a list of values that may use * globs; read as lists. */
const matcher = z.pipe(
  z
    .partialRecord(labelName, z.union([z.string(), z.array(z.string())]))
    .check(about('Labels to match: cluster, service, cause, severity, kind; a value or a list of values, each may use * globs.')),
  z.transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [v ?? []].flat()])) as Partial<Record<(typeof ROUTE_LABELS)[number], string[]>>),
);

interface RouteInput {
  receiver?: string;
  match?: Partial<Record<(typeof ROUTE_LABELS)[number], string | string[]>>;
  continue?: boolean;
  groupBy?: Array<(typeof ROUTE_LABELS)[number]>;
  groupWait?: number | string;
  groupInterval?: number | string;
  repeatInterval?: number | string;
  routes?: RouteInput[];
}

const routeSchema: z.ZodMiniType<RouteNode, RouteInput> = z.strictObject({
  receiver: z.optional(z.string().check(about('The receiver notifications matching this node go to (inherited by children).'))),
  match: z.optional(matcher),
  continue: z.optional(z.boolean().check(about('Keep looking at later siblings after this node matched.'))),
  groupBy: z.optional(z.array(labelName).check(about('Labels whose values make a group: one message per group.'))),
  groupWait: z.optional(duration),
  groupInterval: z.optional(duration),
  repeatInterval: z.optional(duration),
  get routes() {
    return z.optional(z.array(routeSchema));
  },
}) as unknown as z.ZodMiniType<RouteNode, RouteInput>;

const receiverSchema = z
  .strictObject({
    slack: z.optional(
      z.strictObject({
        webhook: z.string().check(
          z.regex(/^(ssm:\/[\w.\-/]+|secretsmanager:[\w/+=.@:\-]+(#[\w.\-]+)?)$/, 'ssm:/path/of/a/SecureString or secretsmanager:NAME[#jsonKey]'),
          about('Where the incoming-webhook URL is stored; it is a secret and never goes into the configuration itself.'),
        ),
        mention: z.optional(z.string().check(z.regex(/^<(!subteam\^[A-Z0-9]+|!here|!channel|@[UW][A-Z0-9]+)>$/, 'a Slack mention: <!subteam^ID>, <!here>, <!channel> or <@USERID>'))),
      }),
    ),
    sns: z.optional(
      z.strictObject({
        topicArn: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)'))),
      }),
    ),
  })
  .check(
    z.refine((r) => (r.slack ? 1 : 0) + (r.sns ? 1 : 0) === 1, 'a receiver is exactly one of slack or sns'),
    about('A named destination: slack (incoming webhook) or sns (the stack topic, or topicArn).'),
  );

const silenceSchema = z.strictObject({
  match: matcher,
  until: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'an ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z')),
  comment: z.optional(z.string()),
});

const notifySchema = z
  .strictObject({
    causes: z._default(z.strictObject(causesShape).check(about('Per-cause overrides of severity and whether to notify.')), {}),
    minSeverity: z._default(z.enum(SEVERITIES).check(about('Drop notifications below this severity.')), 'info'),
    topicArn: z.optional(
      z
        .string()
        .check(
          z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)'),
          about("The default receiver publishes to this SNS topic instead of the stack's own topic."),
        ),
    ),
    events: z._default(
      z.strictObject({
        taskStopped: z._default(z.boolean(), true),
        deployments: z._default(z.boolean(), true),
        serviceActions: z._default(z.boolean(), true),
        containerInstances: z._default(z.boolean(), true),
        alarms: z._default(z.boolean(), true),
        resolved: z._default(z.boolean(), true),
      }).check(about('Which kinds of events notify; each can be turned off.')),
      { taskStopped: true, deployments: true, serviceActions: true, containerInstances: true, alarms: true, resolved: true },
    ),
    alarms: z._default(z.strictObject({ severity: z._default(z.enum(SEVERITIES), 'warning') }), { severity: 'warning' }),
    containerInstances: z._default(
      z.strictObject({ disconnectedAfterSeconds: z._default(z.int().check(z.minimum(60), z.maximum(900)), 300) }).check(
        about('An agent disconnect notifies only if it lasts this long (60 to 900 s): agents reconnect several times an hour as normal.'),
      ),
      { disconnectedAfterSeconds: 300 },
    ),
    logTail: z._default(
      z.strictObject({ lines: z._default(z.int().check(z.minimum(0), z.maximum(50)), 20) }).check(about('Last lines of the failed container\'s log in the notification (0 turns it off).')),
      { lines: 20 },
    ),
    receivers: z._default(
      z.record(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a receiver name: letters, digits, - and _')), receiverSchema).check(
        about('Named destinations. Without any, one receiver "sns" publishes to the stack topic.'),
      ),
      {},
    ),
    route: z.optional(routeSchema),
    silences: z._default(z.array(silenceSchema).check(about('Mute matching notifications until a time.')), []),
  })
  .check(about('What notifies, and where it goes.'));

const serviceTagsSchema = z
  .strictObject({
    enabled: z._default(z.boolean().check(about('Read per-service overrides from ECS service tags (one ListTagsForResource per service, cached).')), true),
    cacheSeconds: z._default(z.int().check(z.minimum(0), z.maximum(3600), about("How long a service's tags are cached per Lambda container.")), 300),
  })
  .check(about('Per-service overrides through ECS service tags prefixed "ecs-autopilot:".'));

const stateSchema = z
  .strictObject({
    eventTtlHours: z._default(
      z.int().check(z.minimum(25), z.maximum(24 * 30), about('How long a handled event id is remembered. EventBridge retries for up to 24 hours, so at least 25.')),
      48,
    ),
  })
  .check(about('The DynamoDB state table.'));

export const configSchema = z
  .strictObject({
    $schema: z.optional(z.string().check(about('Path or URL of the JSON Schema, for editors.'))),
    version: z._default(z.literal(1).check(about('Configuration format version.')), 1),
    clusters: z._default(clustersSchema, { include: ['*'], exclude: [] }),
    notify: z.prefault(notifySchema, {}),
    serviceTags: z._default(serviceTagsSchema, { enabled: true, cacheSeconds: 300 }),
    state: z._default(stateSchema, { eventTtlHours: 48 }),
    remediate: z.prefault(remediateSchema, {}),
    operability: z._default(operabilitySchema, OPERABILITY_DEFAULTS),
    scale: z.optional(scaleSchema),
    ship: z.prefault(shipSchema, {}),
  })
  .check(about('ecs-autopilot configuration (autopilot.yml).'));

export type AutopilotConfig = z.output<typeof configSchema>;
export type AutopilotConfigInput = z.input<typeof configSchema>;

type Def = { type: string; shape?: Record<string, z.ZodMiniType>; innerType?: z.ZodMiniType };
const defOf = (schema: z.ZodMiniType) => schema._zod.def as unknown as Def;

function unwrap(schema: z.ZodMiniType): z.ZodMiniType {
  let current = schema;
  while (['optional', 'default', 'prefault'].includes(defOf(current).type) && defOf(current).innerType) current = defOf(current).innerType!;
  return current;
}

/** The valid keys at a path of the schema, for "unknown key" messages. */
export function validKeysAt(path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let schema: z.ZodMiniType = configSchema;
  for (const key of path) {
    const next = defOf(unwrap(schema)).shape?.[String(key)];
    if (!next) return undefined;
    schema = next;
  }
  const shape = defOf(unwrap(schema)).shape;
  return shape ? Object.keys(shape) : undefined;
}
