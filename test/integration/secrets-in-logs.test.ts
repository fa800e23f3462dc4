// At run time, with a real-looking Slack webhook URL in SSM Parameter Store: whatever happens
// (the post succeeds, Slack answers an error, the secret is missing), the URL never appears in
// anything the handler logs or returns. The same for the log shipper's HTTP destination
// credentials in Secrets Manager (a bearer token, a user and password): used on every request,
// never in what the ship handler logs or returns, whether the destination takes the records or
// refuses them (and they go to the S3 backup).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { clientOptions, createLocalStack } from '../../scripts/lib/local-stack.js';
import { burstPayload } from '../fixtures/logs/ecs-lines.js';
import { makeSubscriptionEvent } from '../fixtures/logs/make-subscription-event.js';
import { loadFixture } from '../support/fixtures.js';
import { type Captured, captureOutput } from '../support/capture-output.js';
import { lambdaContext, uniqueName } from '../support/lambda.js';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const TOKEN = 'T0AAAAAAA/B0BBBBBBB/XyZ9xYz9XyZ9xYz9XyZ9xYz9';
let slack: Server;
let status = 200;
let handler: Handler;
let ship: Handler;
let output: Captured;
// The shipper's credentials, and the HTTP destination that checks them.
const BEARER = 'sk-live-9fK2mQ7xR4tL8vN3pW6zB1cD5hJ0gY';
const PASSWORD = 'Tr0ub4dor-and-3-horses';
const BASIC = `shipper:${PASSWORD}`;
let destination: Server;
let s3: S3Client;
let backup: string;
let destinationStatus = 200;
const authorizations: string[] = [];
const logGroup = '/ecs/leak-check';

beforeAll(async () => {
  const name = uniqueName('leak');
  const stack = await createLocalStack(inject('awsEndpoint'), name);
  slack = createServer((_request, response) => response.writeHead(status).end(status === 200 ? 'ok' : 'invalid_token'));
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/${TOKEN}`;
  await new SSMClient(clientOptions(stack.endpoint)).send(new PutParameterCommand({ Name: `/${name}/slack`, Type: 'SecureString', Value: url }));
  destination = createServer((request, response) => {
    authorizations.push(String(request.headers.authorization ?? ''));
    request.resume().on('end', () => response.writeHead(destinationStatus).end(destinationStatus === 200 ? 'ok' : 'unauthorized'));
  });
  await new Promise<void>((resolve) => destination.listen(0, '127.0.0.1', resolve));
  const destinationUrl = `http://127.0.0.1:${(destination.address() as AddressInfo).port}`;
  const secrets = new SecretsManagerClient(clientOptions(stack.endpoint));
  await secrets.send(new CreateSecretCommand({ Name: `${name}/bearer`, SecretString: BEARER }));
  await secrets.send(new CreateSecretCommand({ Name: `${name}/basic`, SecretString: JSON.stringify({ userpass: BASIC }) }));
  backup = `${name}-backup`.toLowerCase();
  s3 = new S3Client({ ...clientOptions(stack.endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: backup }));
  (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__ = {
    notify: { receivers: { oncall: { slack: { webhook: `ssm:/${name}/slack` } }, missing: { slack: { webhook: `ssm:/${name}/nothing-here` } } }, route: { receiver: 'oncall', routes: [{ match: { cause: 'image-pull' }, receiver: 'missing' }] } },
    ship: {
      logGroups: [logGroup],
      taskMetadata: false,
      destinations: {
        search: { http: { url: `${destinationUrl}/search`, format: 'ndjson', gzip: false, auth: { type: 'bearer', secret: `secretsmanager:${name}/bearer` } } },
        archive: { http: { url: `${destinationUrl}/archive`, format: 'ndjson', gzip: false, auth: { type: 'basic', secret: `secretsmanager:${name}/basic#userpass` } } },
      },
      backup: { bucket: backup },
    },
  };
  Object.assign(process.env, stack.functionEnv, { POWERTOOLS_LOG_LEVEL: 'DEBUG' });
  output = captureOutput([process.stdout, process.stderr]);
  ({ handler } = (await import('../../functions/notify/handler.js')) as unknown as { handler: Handler });
  ({ handler: ship } = (await import('../../functions/ship/handler.js')) as unknown as { handler: Handler });
});

afterAll(() => {
  vi.restoreAllMocks();
  slack?.close();
  destination?.close();
  delete (globalThis as { __AUTOPILOT_CONFIG__?: unknown }).__AUTOPILOT_CONFIG__;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

describe('secrets never reach the logs', () => {
  it('keeps the webhook URL out of logs and results, on success, on a Slack error and on a missing secret', async () => {
    const results: unknown[] = [];
    results.push(await handler({ ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('ok') }, lambdaContext()));
    status = 404;
    await handler({ ...loadFixture('events/task-stopped-app-exit.json'), id: uniqueName('err') }, lambdaContext()).catch((e: Error) => results.push(e.message));
    await handler({ ...loadFixture('events/task-stopped-image-pull.json'), id: uniqueName('missing') }, lambdaContext()).catch((e: Error) => results.push(e.message));
    const everything = output.chunks.join('') + JSON.stringify(results);
    expect(output.chunks.join('')).toMatch(/event (handled|failed)/); // the logs were captured at all
    expect(everything).toMatch(/invalid_token|no_service|404/); // the Slack error was reported ...
    expect(everything).toMatch(/nothing-here/); // ... and the missing secret named
    expect(everything).not.toContain(TOKEN); // ... but the secret itself never
    expect(everything).not.toContain('XyZ9xYz9');
  });

  it('keeps the HTTP destination credentials out of logs and results, when the destination takes the records and when it refuses them', async () => {
    const batch = (from: number) => makeSubscriptionEvent(burstPayload({ from, bursts: 2, logGroup, logStream: 'ecs/api/0123456789abcdef0123456789abcdef' }));
    const start = output.chunks.length;
    const results: unknown[] = [await ship(batch(1), lambdaContext('ecs-autopilot-test-ship'))];
    // Refused (the credential is wrong as far as the destination is concerned): not retried, backed up to S3.
    destinationStatus = 401;
    results.push(await ship(batch(100), lambdaContext('ecs-autopilot-test-ship')));
    const logged = output.chunks.slice(start).join('');
    // The backup keeps each refused record with the destination's reason: written down too.
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: backup }));
    const backedUp = await Promise.all(Contents.map(async ({ Key }) => gunzipSync(await (await s3.send(new GetObjectCommand({ Bucket: backup, Key }))).Body!.transformToByteArray()).toString()));
    const everything = logged + JSON.stringify(results) + backedUp.join('');
    // The credentials were used: each request carried its destination's.
    const encoded = Buffer.from(BASIC).toString('base64');
    expect(authorizations).toContain(`Bearer ${BEARER}`);
    expect(authorizations).toContain(`Basic ${encoded}`);
    expect(JSON.stringify(results[0])).toMatch(/"delivered":[1-9]/);
    expect(logged).toMatch(/records backed up/); // the refusal was logged ...
    expect(backedUp.join('')).toMatch(/"reason":"[^"]*401/); // ... and the records backed up with the destination's answer
    for (const secret of [BEARER, PASSWORD, BASIC, encoded, 'sk-live-9fK2']) expect(everything).not.toContain(secret); // ... but no credential, in any form
  });
});
