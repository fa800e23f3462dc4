// The secret reader against the emulator's SSM and Secrets Manager: real API shapes, real error names.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions } from '../../scripts/lib/local-stack.js';
import { createSecretReader, secretReaderGrants } from '../../shared/adapters/secret-reader.js';
import { uniqueName } from '../support/lambda.js';
import { countCalls } from '../support/count-calls.js';

const prefix = `/${uniqueName('secrets')}`;
const webhook = 'https://hooks.slack.com/services/T000/B000/s3cr3tT0k3n';
const webhookOncall = 'https://hooks.slack.com/services/T000/B111/0nc4llT0k3n';
const plainSecret = uniqueName('slack/plain');
const jsonSecret = uniqueName('slack/webhooks');
let ssm: SSMClient;
let secretsManager: SecretsManagerClient;


beforeAll(async () => {
  ssm = new SSMClient(clientOptions(inject('awsEndpoint')));
  secretsManager = new SecretsManagerClient(clientOptions(inject('awsEndpoint')));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/oncall`, Type: 'SecureString', Value: webhook }));
  await ssm.send(new PutParameterCommand({ Name: `${prefix}/plain`, Type: 'String', Value: webhook }));
  await secretsManager.send(new CreateSecretCommand({ Name: plainSecret, SecretString: webhook }));
  await secretsManager.send(new CreateSecretCommand({ Name: jsonSecret, SecretString: JSON.stringify({ oncall: webhookOncall, retries: 3 }) }));
});

describe('secret reader against the emulator', () => {
  const now = new Date('2026-11-20T10:00:00Z');

  it('reads SSM SecureString and String parameters, decrypted', async () => {
    const reader = createSecretReader({ ssm, secretsManager }, { cacheSeconds: 300 });
    expect(await reader.read(`ssm:${prefix}/oncall`, now)).toBe(webhook);
    expect(await reader.read(`ssm:${prefix}/plain`, now)).toBe(webhook);
  });

  it('reads a Secrets Manager secret as stored, or one key of a JSON secret', async () => {
    const reader = createSecretReader({ ssm, secretsManager }, { cacheSeconds: 300 });
    expect(await reader.read(`secretsmanager:${plainSecret}`, now)).toBe(webhook);
    expect(JSON.parse(await reader.read(`secretsmanager:${jsonSecret}`, now))).toEqual({ oncall: webhookOncall, retries: 3 });
    expect(await reader.read(`secretsmanager:${jsonSecret}#oncall`, now)).toBe(webhookOncall);
  });

  it('names the keys of a JSON secret when the #key is missing or not a string, never the values', async () => {
    const reader = createSecretReader({ ssm, secretsManager }, { cacheSeconds: 300 });
    const missing = reader.read(`secretsmanager:${jsonSecret}#platform`, now);
    await expect(missing).rejects.toThrow(`secret secretsmanager:${jsonSecret}#platform: the JSON has no key 'platform' (its keys: 'oncall', 'retries')`);
    await expect(reader.read(`secretsmanager:${jsonSecret}#retries`, now)).rejects.toThrow(/'retries' is a number, not a string/);
    const notJson = await reader.read(`secretsmanager:${plainSecret}#oncall`, now).catch((error: Error) => error.message);
    expect(notJson).toMatch(/is not JSON/);
    // JSON.parse's own message would quote the start of the value ("https://ho"...).
    expect(notJson).not.toContain('https:');
  });

  it('reads each parameter once within cacheSeconds, shares concurrent reads, and reads again after', async () => {
    const name = `${prefix}/cached`;
    await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: webhook }));
    const counted = new SSMClient(clientOptions(inject('awsEndpoint')));
    const calls = countCalls(counted);
    const reader = createSecretReader({ ssm: counted, secretsManager }, { cacheSeconds: 60 });

    const concurrent = await Promise.all([reader.read(`ssm:${name}`, now), reader.read(`ssm:${name}`, now), reader.read(`ssm:${name}`, now)]);
    expect(concurrent).toEqual([webhook, webhook, webhook]);
    expect(calls.count).toBe(1);

    // Gone from SSM, still served from the container's cache until cacheSeconds have passed.
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    expect(await reader.read(`ssm:${name}`, new Date(now.getTime() + 59_000))).toBe(webhook);
    expect(calls.count).toBe(1);
    await expect(reader.read(`ssm:${name}`, new Date(now.getTime() + 61_000))).rejects.toThrow(/ParameterNotFound/);
    expect(calls.count).toBe(2);
  });

  it('shares one call between several #keys of the same JSON secret', async () => {
    const counted = new SecretsManagerClient(clientOptions(inject('awsEndpoint')));
    const calls = countCalls(counted);
    const reader = createSecretReader({ ssm, secretsManager: counted }, { cacheSeconds: 60 });
    await reader.read(`secretsmanager:${jsonSecret}#oncall`, now);
    await reader.read(`secretsmanager:${jsonSecret}`, now);
    expect(calls.count).toBe(1);
  });

  it('explains a missing parameter or secret without any value, and does not cache the failure', async () => {
    const reader = createSecretReader({ ssm, secretsManager }, { cacheSeconds: 300 });
    const reference = `ssm:${prefix}/missing`;
    await expect(reader.read(reference, now)).rejects.toThrow(
      `secret ${reference} could not be read (ParameterNotFound): create it as a SecureString, see README`,
    );
    await ssm.send(new PutParameterCommand({ Name: `${prefix}/missing`, Type: 'SecureString', Value: webhook }));
    expect(await reader.read(reference, now)).toBe(webhook);

    await expect(reader.read('secretsmanager:no-such-secret', now)).rejects.toThrow(
      'secret secretsmanager:no-such-secret could not be read (ResourceNotFoundException): create the secret in Secrets Manager',
    );
  });

  it('rejects a malformed reference, naming the valid forms, without calling AWS', async () => {
    const reader = createSecretReader({ ssm, secretsManager }, { cacheSeconds: 300 });
    for (const reference of ['https://hooks.slack.com/services/T000/B000/x', '/ecs-autopilot/slack', 'vault:slack', 'ssm:', 'ssm:/a#b', 'secretsmanager:x#']) {
      await expect(reader.read(reference, now)).rejects.toThrow(/use ssm:\/path\/to\/parameter, secretsmanager:NAME_OR_ARN or secretsmanager:NAME_OR_ARN#jsonKey/);
    }
  });

  it('declares one IAM grant per parameter or secret, for build/serverless-vars.cjs to turn into ARNs', () => {
    expect(secretReaderGrants(['ssm:/ecs-autopilot/slack/oncall', 'secretsmanager:slack/webhooks#oncall'])).toEqual([
      { purpose: 'read the secret ssm:/ecs-autopilot/slack/oncall', actions: ['ssm:GetParameter'], resource: 'ssm-parameter:/ecs-autopilot/slack/oncall' },
      { purpose: 'read the secret secretsmanager:slack/webhooks#oncall', actions: ['secretsmanager:GetSecretValue'], resource: 'secret:slack/webhooks' },
    ]);
  });
});
