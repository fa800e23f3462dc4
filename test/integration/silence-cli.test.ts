// `ecs-autopilot silence` writes to the state table in the emulator, and the pipeline, reading the
// same table, mutes what the silence matches and nothing else.
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clientOptions, createLocalStack, type LocalStack } from '../../scripts/lib/local-stack.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import { processEvent } from '../../shared/execute/process-event.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { loadFixture } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';
import { uniqueName } from '../support/lambda.js';

let stack: LocalStack;

const cli = (...args: string[]) => runCli(args, { ...process.env, ...stack.functionEnv });

beforeAll(async () => {
  stack = await createLocalStack(inject('awsEndpoint'), uniqueName('silence'));
});

describe('ecs-autopilot silence', () => {
  it('adds, lists and removes a silence that the pipeline honours', async () => {
    const added = await cli('silence', 'add', '--match', 'service=web,cause=oom|app-exit', '--for', '2h', '--comment', 'known leak', '--by', 'alice');
    expect(added.code, added.stderr).toBe(0);
    const { id, match } = JSON.parse(added.stdout) as { id: string; match: Record<string, string[]> };
    expect(match).toEqual({ service: ['web'], cause: ['oom', 'app-exit'] });
    expect((await cli('silence', 'list')).stdout).toContain(`"id":"${id}"`);

    const sent: NotifyAction[] = [];
    const deps = {
      config: validateConfig({}, 'test'),
      store: new DynamoDbStateStore(new DynamoDBClient(clientOptions(stack.endpoint)), stack.tableName),
      receivers: { sns: { notify: async (a: NotifyAction) => (sent.push(a), {}) } },
      dryRun: false,
      now: () => new Date(),
      silenceCacheSeconds: 0,
    };
    const muted = await processEvent({ ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('e') }, deps);
    expect(muted.notes.join(' ')).toMatch(new RegExp(`silenced by silence ${id} until .* \\(known leak\\)`));
    await processEvent({ ...loadFixture('events/task-stopped-image-pull.json'), id: uniqueName('e') }, deps);
    expect(sent.map((a) => a.cause)).toEqual(['image-pull']);

    expect((await cli('silence', 'remove', id)).stdout).toBe(`removed ${id}\n`);
    expect((await cli('silence', 'remove', id)).code).toBe(1);
    await processEvent({ ...loadFixture('events/task-stopped-oom.json'), id: uniqueName('e') }, deps);
    expect(sent.map((a) => a.cause)).toEqual(['image-pull', 'oom']);
  });

  it('refuses a silence without a match or with a bad duration, saying why', async () => {
    expect((await cli('silence', 'add', '--for', '2h')).stderr).toMatch(/needs at least one --match/);
    expect((await cli('silence', 'add', '--match', 'team=x', '--for', '2h')).stderr).toMatch(/label of cluster, service, cause, severity, kind/);
    expect((await cli('silence', 'add', '--match', 'service=web', '--for', 'soon')).stderr).toMatch(/--for takes a duration/);
  });
});
