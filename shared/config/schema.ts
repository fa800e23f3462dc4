// The one configuration schema (autopilot.yml). Strict: an unknown key is an error that names it,
// so a typo never silently turns a safety setting off. The JSON Schema for editors
// (schema/autopilot.schema.json) is generated from this file by `npm run schema`, and a test
// fails when the generated file is stale. zod/mini keeps Lambda bundles small.
import * as z from 'zod/mini';
import { CAUSES, SEVERITIES } from '../decide/causes.js';

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

const notifySchema = z
  .strictObject({
    causes: z._default(z.strictObject(causesShape).check(about('Per-cause overrides of severity and whether to notify.')), {}),
    minSeverity: z._default(z.enum(SEVERITIES).check(about('Drop notifications below this severity.')), 'info'),
    topicArn: z.optional(
      z
        .string()
        .check(
          z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)'),
          about("Publish to this SNS topic instead of the stack's own topic."),
        ),
    ),
  })
  .check(about('What notifies.'));

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
    notify: z._default(notifySchema, { causes: {}, minSeverity: 'info' }),
    serviceTags: z._default(serviceTagsSchema, { enabled: true, cacheSeconds: 300 }),
    state: z._default(stateSchema, { eventTtlHours: 48 }),
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
