// The shipper against the emulator: a subscription batch from a real-shaped ECS log group (its task
// running in the emulator's ECS) lands in Firehose -> S3 and in S3 directly, enriched with the
// task's cluster, service and task definition; DescribeTasks is called once per task, not per batch.
import { gunzipSync } from 'node:zlib';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { EMULATOR_ENV } from '../../scripts/lib/emulator.js';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import { createTaskMetadataReader } from '../../shared/adapters/ecs-task-metadata.js';
import { validateConfig } from '../../shared/config/validate.js';
import { shipLogEvent } from '../../shared/execute/ship/ship-batch.js';
import { shipDependencies } from '../../functions/ship/wiring.js';
import { countCalls } from '../support/count-calls.js';
import { type EmulatedTask, runServiceTask } from '../support/ecs-task.js';
import { uniqueName } from '../support/lambda.js';
import { burstPayload, SECRETS } from '../fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';

let endpoint: string;
let s3: S3Client;
let task: EmulatedTask;
const name = uniqueName('ship');
const archive = `${name}-archive`.toLowerCase();
const firehoseBucket = `${name}-firehose`.toLowerCase();
const backupBucket = `${name}-backup`.toLowerCase();
const deliveryStream = `${name}-logs`;
const logGroup = `/ecs/${name}`;

type Record_ = { timestamp: string; body: string; attributes: Record<string, unknown> };

async function objectsUnder(bucket: string, prefix = ''): Promise<Array<{ key: string; body: Buffer }>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => ({ key: Key!, body: Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToByteArray()) })),
  );
}

const linesOf = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record_);

const subscriptionEvent = (from: number, count: number) => makeSubscriptionEvent(burstPayload({ from, bursts: count, logGroup, logStream: `ecs/api/${task.taskId}` }));

beforeAll(async () => {
  endpoint = inject('awsEndpoint');
  Object.assign(process.env, EMULATOR_ENV);
  s3 = new S3Client({ ...clientOptions(endpoint), forcePathStyle: true });
  for (const bucket of [archive, firehoseBucket, backupBucket]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await new FirehoseClient(clientOptions(endpoint)).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: deliveryStream,
      ExtendedS3DestinationConfiguration: { BucketARN: `arn:aws:s3:::${firehoseBucket}`, RoleARN: 'arn:aws:iam::123456789012:role/firehose', Prefix: 'raw/' },
    }),
  );
  task = await runServiceTask(endpoint, { cluster: `${name}-prod`, family: `${name}-orders`, container: 'api', service: 'orders-api' });
});

function deps() {
  const config = validateConfig(
    {
      ship: {
        logGroups: [logGroup],
        destinations: { stream: { firehose: { deliveryStream } }, archive: { s3: { bucket: archive, prefix: 'logs/' } } },
        backup: { bucket: backupBucket },
      },
    },
    'test',
  );
  return shipDependencies({ region: 'us-east-1', endpointUrl: endpoint }, config, () => 60_000, () => new Date());
}

describe('ship to Firehose and S3 against the emulator', () => {
  it('delivers every record, enriched, to Firehose -> S3 and to S3 partitioned by date and service', async () => {
    const outcome = await shipLogEvent(subscriptionEvent(0, 30), deps());
    expect(outcome.outcome).toBe('shipped');
    expect(outcome.backups).toEqual([]);
    const shipped = outcome.stats.records;
    expect(outcome.destinations.map((d) => [d.destination, d.delivered, d.failed])).toEqual([
      ['stream', shipped, 0],
      ['archive', shipped, 0],
    ]);

    const viaFirehose = (await objectsUnder(firehoseBucket, 'raw/')).flatMap((o) => linesOf(o.body.toString()));
    const direct = await objectsUnder(archive, 'logs/');
    expect(direct.length).toBeGreaterThan(0);
    for (const object of direct) expect(object.key).toMatch(new RegExp(`^logs/dt=\\d{4}-\\d{2}-\\d{2}/service=orders-api/\\d+-\\d+\\.ndjson\\.gz$`));
    const viaS3 = direct.flatMap((o) => linesOf(gunzipSync(o.body).toString()));

    for (const records of [viaFirehose, viaS3]) {
      expect(records).toHaveLength(shipped);
      expect(new Set(records.map((r) => r.attributes['log.record.uid'])).size).toBe(shipped);
      for (const record of records) {
        expect(record.attributes).toMatchObject({
          'service.name': 'orders-api',
          'container.name': 'api',
          'aws.ecs.task.id': task.taskId,
          'aws.ecs.task.arn': task.taskArn,
          'aws.ecs.cluster.arn': task.clusterArn,
          'aws.ecs.task.family': `${name}-orders`,
          'aws.ecs.task.revision': '1',
          'aws.log.group.names': [logGroup],
          'aws.log.stream.names': [`ecs/api/${task.taskId}`],
        });
      }
      const text = JSON.stringify(records);
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    }
  });

  it('describes a task once per container lifetime, not once per batch', async () => {
    const ecs = new ECSClient(clientOptions(endpoint));
    const calls = countCalls(ecs);
    const reader = createTaskMetadataReader(ecs, { watches: () => true });
    const first = await reader.lookup(task.taskId, logGroup, new Date());
    expect(first).toEqual({ taskArn: task.taskArn, clusterArn: task.clusterArn, family: `${name}-orders`, revision: '1', serviceName: 'orders-api' });
    const afterFirst = calls.count;
    expect(await reader.lookup(task.taskId, logGroup, new Date())).toBe(first);
    expect(calls.count).toBe(afterFirst);
    // An unknown task: looked up once, then remembered as missing for a while.
    expect(await reader.lookup('0123456789abcdef0123456789abcdef', logGroup, new Date())).toBeUndefined();
    const afterMiss = calls.count;
    expect(await reader.lookup('0123456789abcdef0123456789abcdef', logGroup, new Date())).toBeUndefined();
    expect(calls.count).toBe(afterMiss);
  });
});
