// The last lines a failed container wrote to CloudWatch Logs, for a notification's enrichment: an
// OOM or a crash is explained best by what the process said just before it died.
//
// The stream is found from the task definition, never guessed: the container's awslogs options
// name the log group and the stream prefix, and ECS names the stream <prefix>/<container>/<task id>.
// Task definition revisions are immutable, so their log configuration is cached per ARN for
// cacheSeconds (an in-flight read is shared; a failed one is not cached).
//
// Enrichment must never block a notification: lastLines never throws. When the lines cannot be
// read it answers { unavailable } with one sentence saying why and what to check.
//
// Logs in another region than the logs client's (awslogs-region) are not read: the function would
// need a client per region, and a role that may read logs everywhere. The reason says where they are.
import { type CloudWatchLogsClient, GetLogEventsCommand, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { type ContainerDefinition, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { lastArnSegment } from '../intake/arns.js';
import type { IamGrant } from './iam.js';
import { consoleBase, enc } from '../decide/console-links.js';

export type LogTail =
  | {
      /** Oldest first, each without its trailing newline and cut to MAX_LINE_CHARACTERS. */
      lines: string[];
      logGroup: string;
      logStream: string;
      /** The region the log group is in, for logStreamConsoleUrl. */
      region?: string;
      /** True when at least one line was cut to MAX_LINE_CHARACTERS. */
      truncated: boolean;
    }
  | { unavailable: string };

export interface LogTailInput {
  taskDefinitionArn: string;
  containerName: string;
  /** The task's id, or its ARN (the id is its last segment). */
  taskId: string;
}

export interface LogTailReader {
  /** The last `lines` lines (1 to 10,000) the container logged; never throws. */
  lastLines(input: LogTailInput, lines: number, now: Date): Promise<LogTail>;
}

/** A stack trace line can be very long; a notification needs its start, not all of it. */
export const MAX_LINE_CHARACTERS = 500;
/** GetLogEvents' own bounds for `limit`. */
const MAX_LINES = 10_000;
/**
 * GetLogEvents may answer an empty page while older events exist (documented behaviour); a few more
 * pages backwards find them without letting a sparse stream cost an unbounded number of calls.
 */
const MAX_PAGES = 3;
/** Task definitions whose log configuration is kept: enough for any account, bounded for memory. */
const MAX_CACHED_TASK_DEFINITIONS = 500;

export const logTailGrants: IamGrant[] = [
  {
    purpose: "find a failed container's log group and stream in its task definition",
    actions: ['ecs:DescribeTaskDefinition'],
    // DescribeTaskDefinition has no resource type in the Service Authorization Reference: IAM accepts
    // only "*" for it, so no narrower grant exists (a task definition ARN would never match).
    resource: 'any-resource',
  },
  { purpose: 'read the last lines a failed container logged', actions: ['logs:GetLogEvents'], resource: 'log-streams' },
];

/**
 * The CloudWatch console page of one log stream. The console reads the part after '#' through its
 * own router, which expects each name URI-encoded twice with '%' written as '$' ('/' -> '$252F').
 * Commercial partition only: the China and GovCloud consoles live on other hosts.
 */
export function logStreamConsoleUrl(region: string, logGroup: string, logStream: string): string {
  const encode = (name: string) => encodeURIComponent(enc(name)).replace(/%/g, '$');
  return (
    `${consoleBase(region)}/cloudwatch/home?region=${enc(region)}` +
    `#logsV2:log-groups/log-group/${encode(logGroup)}/log-events/${encode(logStream)}`
  );
}

type ContainerLogConfig = Pick<ContainerDefinition, 'name' | 'logConfiguration'>;
type StreamLocation = { logGroup: string; logStream: string; awslogsRegion?: string };

/** Where ECS sends this container's output, or why that cannot be known. */
function locateStream(containers: ContainerLogConfig[], input: LogTailInput): StreamLocation | { unavailable: string } {
  const { containerName, taskDefinitionArn } = input;
  const container = containers.find((c) => c.name === containerName);
  if (!container) {
    const names = containers.map((c) => `'${c.name}'`).join(', ') || 'none';
    return { unavailable: `task definition ${taskDefinitionArn} has no container '${containerName}' (its containers: ${names})` };
  }
  const config = container.logConfiguration;
  if (!config?.logDriver) {
    return { unavailable: `container '${containerName}' has no logConfiguration, so ECS keeps none of its output; set the awslogs log driver in the task definition` };
  }
  if (config.logDriver !== 'awslogs') {
    return { unavailable: `container '${containerName}' does not use the awslogs log driver (it uses ${config.logDriver}), so its lines are not in a CloudWatch Logs stream ECS names` };
  }
  const options = config.options ?? {};
  const logGroup = options['awslogs-group'];
  if (!logGroup) return { unavailable: `container '${containerName}' uses awslogs without an awslogs-group option, so its log group is unknown` };
  const prefix = options['awslogs-stream-prefix'];
  if (!prefix) {
    // Without a prefix the awslogs driver names the stream after the Docker container id, which the
    // ECS event does not carry (and Fargate requires a prefix anyway).
    return {
      unavailable: `container '${containerName}' logs to ${logGroup} without awslogs-stream-prefix, so its stream is named after the Docker container id and cannot be found from the task id; set awslogs-stream-prefix in the task definition`,
    };
  }
  const region = options['awslogs-region'];
  return { logGroup, logStream: `${prefix}/${containerName}/${lastArnSegment(input.taskId)}`, ...(region ? { awslogsRegion: region } : {}) };
}

/** One line for a notification: no trailing newline, at most MAX_LINE_CHARACTERS. */
function toLine(message: string): { line: string; cut: boolean } {
  const line = message.replace(/[\r\n]+$/, '');
  if (line.length <= MAX_LINE_CHARACTERS) return { line, cut: false };
  let end = MAX_LINE_CHARACTERS;
  // Never split a surrogate pair: half an emoji renders as a replacement character.
  const last = line.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { line: line.slice(0, end), cut: true };
}

function errorName(error: unknown): string {
  return (error as Error | undefined)?.name || 'Error';
}

/** The first line of an error's message, short: an SDK deserialisation error runs to several lines. */
function shortMessage(error: unknown): string {
  const line = String((error as Error | undefined)?.message ?? '').split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function describeError(error: unknown): string {
  const message = shortMessage(error);
  return message ? `${errorName(error)}: ${message}` : errorName(error);
}

export function createLogTailReader(clients: { ecs: ECSClient; logs: CloudWatchLogsClient }, options: { cacheSeconds: number }): LogTailReader {
  // `until` is unset while the call is in flight, so concurrent notifications share that one call.
  const cache = new Map<string, { containers: Promise<ContainerLogConfig[]>; until?: number }>();

  async function fetchContainers(taskDefinitionArn: string): Promise<ContainerLogConfig[]> {
    const { taskDefinition } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
    // Keep only what locateStream reads: a container definition also holds environment values.
    return (taskDefinition?.containerDefinitions ?? []).map(({ name, logConfiguration }) => ({ name, logConfiguration }));
  }

  function containersOf(taskDefinitionArn: string, now: Date): Promise<ContainerLogConfig[]> {
    const entry = cache.get(taskDefinitionArn);
    if (entry && (entry.until === undefined || entry.until > now.getTime())) return entry.containers;
    if (entry) cache.delete(taskDefinitionArn);
    if (cache.size >= MAX_CACHED_TASK_DEFINITIONS) cache.delete(cache.keys().next().value!);
    const created: { containers: Promise<ContainerLogConfig[]>; until?: number } = { containers: fetchContainers(taskDefinitionArn) };
    cache.set(taskDefinitionArn, created);
    created.containers.then(
      () => {
        created.until = now.getTime() + options.cacheSeconds * 1000;
      },
      // A failure is not cached: the next notification asks again.
      () => {
        if (cache.get(taskDefinitionArn) === created) cache.delete(taskDefinitionArn);
      },
    );
    return created.containers;
  }

  async function readTail(location: StreamLocation, limit: number): Promise<OutputLogEvent[]> {
    const events: OutputLogEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: location.logGroup,
          logStreamName: location.logStream,
          startFromHead: false,
          limit,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      events.push(...(result.events ?? []));
      // A non-empty page from the end holds the last `limit` events (or all there are).
      if (events.length > 0 || !result.nextBackwardToken || result.nextBackwardToken === token) break;
      token = result.nextBackwardToken;
    }
    return events;
  }

  async function tailOf(input: LogTailInput, lines: number, now: Date): Promise<LogTail> {
    const limit = Math.min(Math.max(Math.floor(lines) || 1, 1), MAX_LINES);
    let containers: ContainerLogConfig[];
    try {
      containers = await containersOf(input.taskDefinitionArn, now);
    } catch (error) {
      const name = errorName(error);
      const hint =
        name === 'AccessDeniedException'
          ? "; the function's role needs ecs:DescribeTaskDefinition"
          : name === 'ClientException'
            ? '; it may have been deleted, or belong to another account or region'
            : '';
      return { unavailable: `could not read task definition ${input.taskDefinitionArn} (${describeError(error)})${hint}` };
    }

    const location = locateStream(containers, input);
    if ('unavailable' in location) return location;
    const { logGroup, logStream } = location;

    let region: string;
    try {
      region = await clients.logs.config.region();
    } catch (error) {
      return { unavailable: `could not read ${logGroup}: the CloudWatch Logs client has no region (${errorName(error)})` };
    }
    if (location.awslogsRegion && location.awslogsRegion !== region) {
      return {
        unavailable: `logs are in ${location.awslogsRegion} (awslogs-region of container '${input.containerName}'), and this function reads CloudWatch Logs in ${region} only; open ${logStreamConsoleUrl(location.awslogsRegion, logGroup, logStream)}`,
      };
    }

    let events: OutputLogEvent[];
    try {
      events = await readTail(location, limit);
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceNotFoundException') {
        // The usual cause is a container that never ran (image pull or secrets failures). AWS's own
        // message says whether the stream or the whole group is missing, so it is passed on (moto
        // 5.2 says "log group does not exist" for a missing stream too).
        return { unavailable: `log stream ${logStream} not found in ${logGroup} (was the task started? CloudWatch Logs says: ${shortMessage(error)})` };
      }
      if (name === 'AccessDeniedException') {
        return { unavailable: `could not read ${logGroup} (${name}): the function's role needs logs:GetLogEvents on its log streams` };
      }
      return { unavailable: `could not read ${logGroup} (${describeError(error)})` };
    }

    let truncated = false;
    const tail = events.slice(-limit).map((event) => {
      const { line, cut } = toLine(event.message ?? '');
      truncated ||= cut;
      return line;
    });
    return { lines: tail, logGroup, logStream, region, truncated };
  }

  return {
    async lastLines(input, lines, now) {
      try {
        return await tailOf(input, lines, now);
      } catch (error) {
        // Every expected failure is answered above; this keeps the promise of never throwing.
        return { unavailable: `could not read the last lines of container '${input.containerName}' (${describeError(error)})` };
      }
    },
  };
}
