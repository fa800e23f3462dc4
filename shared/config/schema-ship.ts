// The `ship:` section of autopilot.yml: which ECS log groups the shipper subscribes to, how it
// joins, redacts, filters and samples their lines, and where it delivers them. Without
// destinations the shipper has no subscriptions, so a stack that does not ship logs sees no change.
import * as z from 'zod/mini';

const about = (description: string) => z.describe(description);

/** A regular expression given as text; a pattern that does not compile is refused at package time. */
const regexText = z.string().check(
  z.minLength(1),
  z.refine((text) => {
    try {
      new RegExp(text);
      return true;
    } catch {
      return false;
    }
  }, 'a JavaScript regular expression that compiles'),
);

const secretReference = z.string().check(
  z.regex(/^(ssm:\/[\w.\-/]+|secretsmanager:[\w/+=.@:\-]+(#[\w.\-]+)?)$/, 'ssm:/path/of/a/SecureString or secretsmanager:NAME[#jsonKey]'),
);

const bucketName = z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'));
/** A key prefix: empty, or ending with "/". */
const keyPrefix = z.string().check(z.regex(/^([\w!.*'()=-]+\/)*$/, "a key prefix ending with '/', e.g. logs/ecs/"));

const firehoseDestination = z.strictObject({
  deliveryStream: z.string().check(z.regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a Firehose delivery stream name'), about('The Firehose delivery stream (PutRecordBatch).')),
});

const s3Destination = z.strictObject({
  bucket: bucketName,
  prefix: z._default(keyPrefix.check(about('Objects go under PREFIX dt=YYYY-MM-DD/service=NAME/.')), 'logs/'),
});

const httpDestination = z.strictObject({
  url: z.string().check(z.regex(/^https?:\/\/[^\s@]+$/, 'an http(s) URL without credentials (put them in auth.secret)'), about('Where batches are POSTed.')),
  format: z.enum(['opensearch-bulk', 'loki', 'ndjson']).check(about('opensearch-bulk (_bulk create with ids from the log event ids), loki (push API) or ndjson.')),
  index: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]*$/, 'an OpenSearch index or data stream name (lower case)')), 'ecs-logs'),
  gzip: z._default(z.boolean().check(about('Send the body gzip-compressed (Content-Encoding: gzip).')), true),
  maxBatchBytes: z._default(z.int().check(z.minimum(1024), z.maximum(100 * 1024 * 1024), about('Largest uncompressed body per request.')), 5 * 1024 * 1024),
  auth: z.optional(
    z.strictObject({
      type: z.enum(['bearer', 'basic', 'api-key']).check(about('bearer: Authorization: Bearer SECRET; basic: the secret is user:password; api-key: Authorization: ApiKey SECRET.')),
      secret: secretReference.check(about('Where the credential is stored (SSM SecureString or Secrets Manager); never in this file.')),
    }),
  ),
});

const destinationSchema = z
  .strictObject({ firehose: z.optional(firehoseDestination), s3: z.optional(s3Destination), http: z.optional(httpDestination) })
  .check(
    z.refine((d) => (d.firehose ? 1 : 0) + (d.s3 ? 1 : 0) + (d.http ? 1 : 0) === 1, 'a destination is exactly one of firehose, s3 or http'),
    about('One place records are delivered to: firehose, s3 or http.'),
  );

const samplingRule = z.strictObject({
  service: z.string().check(z.minLength(1), about('ECS service name, or a glob with *.')),
  rate: z.number().check(z.gte(0), z.lte(1), about('Fraction of records kept (0 to 1), chosen by a hash of the log event id, so a retry keeps the same ones.')),
});

export const shipSchema = z
  .strictObject({
    logGroups: z._default(
      z.array(z.string().check(z.regex(/^[\w\-/.#]{1,512}$/, 'a CloudWatch Logs log group name'))).check(about('Log groups to subscribe to (one subscription filter each).')),
      [],
    ),
    filterPattern: z._default(z.string().check(about('CloudWatch Logs filter pattern of the subscriptions; empty sends every line.')), ''),
    autoSubscribe: z._default(
      z.strictObject({
        prefixes: z._default(
          z
            .array(z.string().check(z.regex(/^[\w\-/.#]{1,512}$/, 'a CloudWatch Logs log group name prefix, e.g. /ecs/')))
            .check(about('Log groups whose names start with one of these are subscribed as they appear (on creation and on each sweep), and unsubscribed on `sls remove`.')),
          [],
        ),
        everyMinutes: z._default(z.int().check(z.minimum(5), z.maximum(1440), about('Minutes between sweeps that subscribe the matching log groups not yet subscribed.')), 60),
      }),
      { prefixes: [], everyMinutes: 60 },
    ),
    destinations: z._default(
      z.record(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a destination name: letters, digits, - and _')), destinationSchema).check(about('Named destinations; every record goes to each.')),
      {},
    ),
    backup: z.optional(
      z.strictObject({ bucket: bucketName, prefix: z._default(keyPrefix, 'ecs-autopilot-backup/') }).check(
        about('Where records that a destination still refuses after retries are written, with the reason. Required with destinations.'),
      ),
    ),
    multiline: z._default(
      z.strictObject({
        startPatterns: z._default(
          z.array(regexText).check(about('When set, a line that matches none of these continues the record before it (e.g. ^\\d{4}-\\d{2}-\\d{2} for timestamped logs).')),
          [],
        ),
        maxLines: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 500),
      }),
      { startPatterns: [], maxLines: 500 },
    ),
    redact: z._default(
      z.strictObject({
        builtIn: z._default(z.boolean().check(about('AWS access key ids and secret keys, bearer tokens, passwords in URLs, private keys.')), true),
        patterns: z._default(z.array(regexText).check(about('More regular expressions; every match is replaced.')), []),
        replacement: z._default(z.string(), '[REDACTED]'),
      }),
      { builtIn: true, patterns: [], replacement: '[REDACTED]' },
    ),
    drop: z._default(z.array(regexText).check(about('Records whose line matches one of these are dropped (e.g. health checks).')), []),
    sampling: z._default(z.array(samplingRule).check(about('Per-service sampling; the first rule whose service matches applies.')), []),
    taskMetadata: z._default(z.boolean().check(about('Look up cluster, service and task definition with ecs:DescribeTasks, once per task.')), true),
  })
  .check(
    z.refine((s) => Object.keys(s.destinations).length === 0 || s.backup !== undefined, {
      message: 'ship.backup is required when destinations are configured: records a destination refuses go there',
      path: ['backup'],
    }),
    z.refine((s) => s.autoSubscribe.prefixes.length === 0 || Object.keys(s.destinations).length > 0, {
      message: 'ship.autoSubscribe needs ship.destinations: subscribed log groups would have nowhere to go',
      path: ['autoSubscribe', 'prefixes'],
    }),
    about('Log shipping: ECS container logs from CloudWatch Logs subscriptions to Firehose, S3 or HTTP.'),
  );

export type ShipConfig = z.output<typeof shipSchema>;
export type ShipDestinationConfig = ShipConfig['destinations'][string];
export type HttpDestinationConfig = NonNullable<ShipDestinationConfig['http']>;

export const SHIP_DEFAULTS: z.input<typeof shipSchema> = {};
