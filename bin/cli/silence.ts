// `ecs-autopilot silence add|list|remove`: mutes matching notifications until a time, by writing to
// the state table's `silences` collection, which the notify function reads on every notification.
// Needs the deployed stack's table (STATE_TABLE) and credentials, like the function itself.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { readEnvironment, requireSetting } from '../../shared/config/environment.js';
import { ROUTE_LABELS, type RouteLabel } from '../../shared/decide/route.js';
import type { Silence } from '../../shared/decide/silences.js';
import { DynamoDbStateStore } from '../../shared/state/dynamodb-store.js';
import { parseArgs, UsageError } from './args.js';

const COLLECTION = 'silences';

function parseDuration(text: string): number {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) throw new UsageError(`--for takes a duration such as 30m, 4h or 2d, got '${text}'`);
  return Number(match[1]) * { m: 60, h: 3600, d: 86400 }[match[2] as 'm' | 'h' | 'd'];
}

/** `service=web,cause=oom` (repeatable; a value may list alternatives with |: cause=oom|app-exit). */
function parseMatch(values: string[]): Silence['match'] {
  const match: Partial<Record<RouteLabel, string[]>> = {};
  for (const pair of values.flatMap((v) => v.split(','))) {
    const [label, value] = pair.split('=', 2) as [string, string | undefined];
    if (!(ROUTE_LABELS as readonly string[]).includes(label) || !value) {
      throw new UsageError(`--match takes label=value with a label of ${ROUTE_LABELS.join(', ')}, got '${pair}'`);
    }
    match[label as RouteLabel] = value.split('|');
  }
  if (Object.keys(match).length === 0) throw new UsageError('silence add needs at least one --match label=value: a silence that matches everything is refused');
  return match;
}

export async function runSilence(argv: string[], now = new Date()): Promise<number> {
  const [sub, ...rest] = argv;
  const store = new DynamoDbStateStore(createAwsClient(DynamoDBClient, readEnvironment()), requireSetting(readEnvironment(), 'stateTable', 'STATE_TABLE'));
  switch (sub) {
    case 'add': {
      const matchValues: string[] = [];
      const filtered: string[] = [];
      for (let i = 0; i < rest.length; i += 1) {
        if (rest[i] === '--match') matchValues.push(rest[++i] ?? '');
        else filtered.push(rest[i]!);
      }
      const args = parseArgs(filtered, ['for', 'comment', 'by']);
      const seconds = parseDuration(String(args.flags.get('for') ?? ''));
      const silence: Silence = {
        match: parseMatch(matchValues),
        until: new Date(now.getTime() + seconds * 1000).toISOString(),
        ...(typeof args.flags.get('comment') === 'string' ? { comment: args.flags.get('comment') as string } : {}),
        createdBy: typeof args.flags.get('by') === 'string' ? (args.flags.get('by') as string) : (process.env.USER ?? 'unknown'),
      };
      const id = randomUUID().slice(0, 8);
      await store.putInCollection(COLLECTION, id, silence, now, seconds + 3600);
      process.stdout.write(`${JSON.stringify({ id, ...silence })}\n`);
      return 0;
    }
    case 'list': {
      for (const { id, value } of await store.listCollection<Silence>(COLLECTION, now)) {
        if (Date.parse(value.until) > now.getTime()) process.stdout.write(`${JSON.stringify({ id, ...value })}\n`);
      }
      return 0;
    }
    case 'remove': {
      const [id] = rest;
      if (!id) throw new UsageError('silence remove needs the id that silence add or list printed');
      if (!(await store.deleteFromCollection(COLLECTION, id))) {
        process.stderr.write(`ecs-autopilot: no silence with id ${id}\n`);
        return 1;
      }
      process.stdout.write(`removed ${id}\n`);
      return 0;
    }
    default:
      throw new UsageError(`silence takes add, list or remove, got '${sub ?? ''}'`);
  }
}
