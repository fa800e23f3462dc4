// Values serverless.yml reads with ${file(./build/serverless-vars.cjs):NAME}: the validated
// configuration, the EventBridge patterns derived from it, and each function's IAM statements
// derived from what its adapters declare. Loading this validates autopilot.yml, so a bad file
// fails `sls package` with a message naming the path and the fix.
const loadTs = require('./load-ts.cjs');
const { loadAutopilotConfig } = require('./autopilot-config.cjs');

function fail(error) {
  // Serverless prints only the message; keep it the one a person needs.
  const wrapped = new Error(`ecs-autopilot: ${error.message}`);
  wrapped.stack = wrapped.message;
  throw wrapped;
}

function config() {
  try {
    return loadAutopilotConfig();
  } catch (error) {
    return fail(error);
  }
}

const sub = (text) => ({ 'Fn::Sub': text });

/** CloudFormation ARNs for the resources named in adapter grants (shared/adapters/iam.ts). */
function resourceArn(resource) {
  switch (resource) {
    case 'state-table':
      return { 'Fn::GetAtt': ['StateTable', 'Arn'] };
    case 'notify-topic':
      return config().notify.topicArn ?? { Ref: 'NotifyTopic' };
    case 'ecs-services':
      return sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/*');
    case 'ecs-container-instances':
      return sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:container-instance/*');
    case 'cloudwatch-alarms':
      return sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*');
    case 'timer-queue':
      return { 'Fn::GetAtt': ['TimerQueue', 'Arn'] };
    case 'any-resource':
      // For actions with no resource type in the Service Authorization Reference (ecs:ListClusters,
      // ecs:ListServices): IAM accepts only "*" for them, AWS offers nothing narrower.
      return '*';
    case 'log-streams':
      // logs:GetLogEvents has the log-stream resource type (Service Authorization Reference), so the
      // ARN must name streams: a log-group ARN alone does not match. Groups come from task
      // definitions at run time, hence every group; the region is the stack's, the only one read.
      return sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*:log-stream:*');
    case 'ecs-tasks':
      return sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/*');
    default: {
      if (resource.startsWith('firehose-stream:')) return sub(`arn:\${AWS::Partition}:firehose:\${AWS::Region}:\${AWS::AccountId}:deliverystream/${resource.slice('firehose-stream:'.length)}`);
      if (resource.startsWith('s3-objects:')) return sub(`arn:\${AWS::Partition}:s3:::${resource.slice('s3-objects:'.length)}*`);
      if (resource.startsWith('sns-topic:')) return resource.slice('sns-topic:'.length);
      const arn = secretArn(resource);
      if (arn) return arn;
      throw new Error(`build/serverless-vars.cjs: no ARN known for grant resource '${resource}'`);
    }
  }
}

/**
 * `ssm-parameter:<name>` and `secret:<name>` (shared/adapters/secret-reader.ts): a reference given
 * as a full ARN is used as is. Secrets Manager appends a random 6-character suffix to a secret's
 * ARN, so a name needs the trailing wildcard. No kms:Decrypt is granted: secrets under the
 * AWS-managed keys (aws/ssm, aws/secretsmanager) do not need it.
 */
function secretArn(resource) {
  const [, kind, name] = /^(ssm-parameter|secret):(.+)$/.exec(resource) ?? [];
  if (!kind) return undefined;
  if (name.startsWith('arn:')) return name;
  if (kind === 'ssm-parameter') return sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.replace(/^\//, '')}`);
  return sub(`arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}-*`);
}

/** The role policy of one function: its log group, its on-failure queue, and its adapters' grants. */
function functionPolicy(functionName, grants) {
  const { mergeGrants } = loadTs('../shared/adapters/iam.ts');
  return [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${functionName}:*`),
    },
    { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
    ...mergeGrants(grants).map(({ resource, actions }) => ({ Effect: 'Allow', Action: actions, Resource: resourceArn(resource) })),
  ];
}

/**
 * The notify function's triggers: one EventBridge rule per pattern the configuration produces
 * (shared/config/event-patterns.ts), each with the dead-letter queue, and the timer queue.
 */
function notifyEvents({ resolveVariable }) {
  return Promise.resolve(resolveVariable('sls:stage')).then((stage) => [
    ...loadTs('../shared/config/event-patterns.ts')
      .notifyPatterns(config())
      .map(({ name, description, pattern }) => ({
        eventBridge: {
          name: `ecs-autopilot-${stage}-${name}`,
          description,
          pattern,
          // Events EventBridge cannot deliver to Lambda at all land in the dead-letter queue.
          deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
          retryPolicy: { maximumEventAge: 86400, maximumRetryAttempts: 185 },
        },
      })),
    { sqs: { arn: { 'Fn::GetAtt': ['TimerQueue', 'Arn'] }, batchSize: 10, functionResponseType: 'ReportBatchItemFailures' } },
  ]);
}

/**
 * The ship function's CloudWatch Logs subscriptions: one per ship.logGroups entry, and none unless
 * destinations are configured, so a stack that ships no logs subscribes to nothing.
 */
function shipEvents() {
  const { ship } = config();
  if (Object.keys(ship.destinations).length === 0) return [];
  return ship.logGroups.map((logGroup) => ({ cloudwatchLog: { logGroup, ...(ship.filterPattern ? { filter: ship.filterPattern } : {}) } }));
}

module.exports = {
  autopilot: () => config(),
  notifyEvents,
  taskStoppedPattern: () => loadTs('../shared/config/event-patterns.ts').taskStoppedPattern(config()),
  notifyPolicy: () => functionPolicy('notify', loadTs('../functions/notify/permissions.ts').notifyGrants(config())),
  shipEvents,
  shipPolicy: () => functionPolicy('ship', loadTs('../functions/ship/permissions.ts').shipGrants(config())),
};
