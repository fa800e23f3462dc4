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
    case 'notify-topic-key':
      return { 'Fn::GetAtt': ['NotifyTopicKey', 'Arn'] };
    case 'ecs-services':
      return sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/*');
    case 'ecs-container-instances':
      return sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:container-instance/*');
    case 'cloudwatch-alarms':
      return sub('arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*');
    case 'timer-queue':
      return { 'Fn::GetAtt': ['TimerQueue', 'Arn'] };
    case 'remediate-timer-queue':
      return { 'Fn::GetAtt': ['RemediateTimerQueue', 'Arn'] };
    case 'scalable-targets':
      return sub('arn:${AWS::Partition}:application-autoscaling:${AWS::Region}:${AWS::AccountId}:scalable-target/*');
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
    case 'log-groups':
      // logs:DescribeLogGroups lists; "log-group:*" also matches the "log-group::log-stream:" ARN it is authorised on.
      return sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*');
    default: {
      if (resource.startsWith('log-groups-under:')) return logGroupsUnder(resource.slice('log-groups-under:'.length));
      if (resource.startsWith('firehose-stream:')) return sub(`arn:\${AWS::Partition}:firehose:\${AWS::Region}:\${AWS::AccountId}:deliverystream/${resource.slice('firehose-stream:'.length)}`);
      if (resource.startsWith('s3-objects:')) return sub(`arn:\${AWS::Partition}:s3:::${resource.slice('s3-objects:'.length)}*`);
      if (resource.startsWith('sns-topic:')) return resource.slice('sns-topic:'.length);
      if (resource.startsWith('sqs-queue:')) return queueArn(resource.slice('sqs-queue:'.length));
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

/** The log groups whose names start with a prefix (and their streams: "log-group:NAME:*"). */
const logGroupsUnder = (prefix) => sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${prefix}*`);

const REMEDIATE_TAG = 'ecs-autopilot:remediate';
const ecsArn = (rest) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${rest}`);

/**
 * The statements of a remediation write: on resources that carry the opt-in tag (IAM checks the
 * tag, so a bug in the code still cannot touch a service nobody opted in), or on the clusters and
 * services remediate.optIn names by ARN. Undefined for other resources.
 * A resource tagged `off` is excluded from both, as the code excludes it (the tag `off` wins over
 * config): StringNotEqualsIgnoreCase holds when the tag is absent, so it narrows the named
 * statements to services not tagged off, and, ANDed with the StringLike, the tagged ones to tags
 * other than off. (The code also ignores spaces around the value; IAM compares it as it is.)
 */
function remediationStatements(resource, actions) {
  const allow = (Resource, Condition) => ({ Effect: 'Allow', Action: actions, Resource, ...(Condition ? { Condition } : {}) });
  const notOff = { StringNotEqualsIgnoreCase: { [`aws:ResourceTag/${REMEDIATE_TAG}`]: 'off' } };
  const taggedOnly = { StringLike: { [`aws:ResourceTag/${REMEDIATE_TAG}`]: '*' }, ...notOff };
  const optIn = config().remediate.optIn;
  switch (resource) {
    case 'remediation-services': {
      const named = optIn.map((glob) => ecsArn(`service/${glob.includes('/') ? glob : `${glob}/*`}`));
      return [allow(ecsArn('service/*'), taggedOnly), ...(named.length ? [allow(named, notOff)] : [])];
    }
    case 'remediation-container-instances': {
      const named = optIn.filter((glob) => !glob.includes('/')).map((cluster) => ecsArn(`container-instance/${cluster}/*`));
      return [allow(ecsArn('container-instance/*'), taggedOnly), ...(named.length ? [allow(named, notOff)] : [])];
    }
    case 'remediation-autoscaling-groups':
      // Only tagged groups: IAM cannot tell which group hosts an opted-in cluster's instances, so
      // `replace: true` needs the group itself tagged (any value but off), even when the cluster is
      // opted in by remediate.optIn.
      return [allow(sub('arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/*'), taggedOnly)];
    case 'remediation-task-definitions':
      // A new revision is a new resource: the condition is on the tag it must be created with.
      return [
        { Effect: 'Allow', Action: actions.filter((a) => a !== 'ecs:TagResource'), Resource: ecsArn('task-definition/*'), Condition: { StringLike: { 'aws:RequestTag/ecs-autopilot:resized-from': '*' } } },
        ...(actions.includes('ecs:TagResource') ? [{ Effect: 'Allow', Action: ['ecs:TagResource'], Resource: ecsArn('task-definition/*'), Condition: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } } }] : []),
      ];
    case 'pass-role-to-ecs-tasks':
      return [allow(sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'), { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } })];
    default:
      return undefined;
  }
}

/** A queue a scaling policy names: its URL carries region and account; a bare name is the stack's. */
function queueArn(queue) {
  const [, region, account, name] = /^https?:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com[^/]*\/(\d{12})\/([^/]+)$/.exec(queue) ?? [];
  if (name) return sub(`arn:\${AWS::Partition}:sqs:${region}:${account}:${name}`);
  return sub(`arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${queue.split('/').pop()}`);
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
    ...mergeGrants(grants).flatMap(
      ({ resource, actions, condition }) => remediationStatements(resource, actions) ?? [{ Effect: 'Allow', Action: actions, Resource: resourceArn(resource), ...(condition ? { Condition: condition } : {}) }],
    ),
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
          pattern: name === 'alarms' ? withoutOwnAlarms(pattern, stage) : pattern,
          // Events EventBridge cannot deliver to Lambda at all land in the dead-letter queue.
          deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
          retryPolicy: { maximumEventAge: 86400, maximumRetryAttempts: 185 },
        },
      })),
    { sqs: { arn: { 'Fn::GetAtt': ['TimerQueue', 'Arn'] }, batchSize: 10, functionResponseType: 'ReportBatchItemFailures' } },
  ]);
}

/**
 * The remediate function's triggers: the rules the enabled playbooks need, and its timer queue.
 * With any playbook enabled, also a schedule whose tick only reads the kill switch and reports it
 * (build/operability.cjs): without it, a switch left engaged in a quiet hour reports nothing, and
 * its alarm could never count the periods.
 */
function remediateEvents({ resolveVariable }) {
  return Promise.resolve(resolveVariable('sls:stage')).then((stage) => {
    const patterns = loadTs('../shared/config/event-patterns.ts').remediatePatterns(config());
    const { KILL_SWITCH_SCHEDULE } = require('./operability.cjs');
    return [
      ...patterns.map(({ name, description, pattern }) => ({
        eventBridge: {
          name: `ecs-autopilot-${stage}-${name}`,
          description,
          pattern,
          deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
          retryPolicy: { maximumEventAge: 86400, maximumRetryAttempts: 185 },
        },
      })),
      ...(patterns.length === 0
        ? []
        : [
            {
              eventBridge: {
                name: `ecs-autopilot-${stage}-remediate-kill-switch`,
                description: 'Read and report the remediation kill switch, for its alarm',
                schedule: KILL_SWITCH_SCHEDULE,
                // A late tick is worth nothing: the next one comes within the period.
                deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
                retryPolicy: { maximumEventAge: 300, maximumRetryAttempts: 2 },
              },
            },
          ]),
      { sqs: { arn: { 'Fn::GetAtt': ['RemediateTimerQueue', 'Arn'] }, batchSize: 10, functionResponseType: 'ReportBatchItemFailures' } },
    ];
  });
}

/**
 * The stack's alarms on itself notify through their own alarm actions (the topic), so the alarm rule
 * leaves them out: a failing notify function or Slack is not asked to report its own failure.
 */
function withoutOwnAlarms(pattern, stage) {
  return { ...pattern, detail: { ...pattern.detail, alarmName: [{ 'anything-but': { prefix: `ecs-autopilot-${stage}-` } }] } };
}

const stageOf = ({ resolveVariable }) => Promise.resolve(resolveVariable('sls:stage'));

/** An EventBridge target's dead-letter queue, and how long and how often EventBridge retries before it. */
const deadLetterTarget = (maximumEventAge) => ({ deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, retryPolicy: { maximumEventAge, maximumRetryAttempts: 3 } });

/**
 * The scale function, declared only when the configuration scales a service (null otherwise, and
 * Serverless drops the function): a schedule at the configured rate, and one rule for the state
 * changes of the alarms the services name, both with the dead-letter queue.
 */
function scaleFunction({ resolveVariable }) {
  const scale = config().scale;
  if (!scale || scale.services.length === 0) return null;
  const alarms = [...new Set(scale.services.flatMap((s) => s.alarms))].sort();
  const minutes = scale.rate / 60;
  const deadLetter = deadLetterTarget(3600);
  return Promise.resolve(resolveVariable('sls:stage')).then((stage) => ({
    handler: 'functions/scale/handler.handler',
    description: 'Custom scaling of ECS services: backlog per task, any metric, schedules, scale to zero',
    role: 'ScaleRole',
    // Its zip holds its own entry and chunks only (serverless-esbuild adds every function's chunks to every zip).
    package: { patterns: ['!functions/**', 'functions/scale/**/*.mjs', 'functions/scale/**/*.mjs.map'] },
    environment: { STATE_TABLE: { Ref: 'StateTable' }, NOTIFY_TOPIC_ARN: config().notify.topicArn ?? { Ref: 'NotifyTopic' } },
    maximumRetryAttempts: 2,
    destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
    events: [
      { eventBridge: { name: `ecs-autopilot-${stage}-scale-schedule`, description: 'Evaluate every scaled service', schedule: `rate(${minutes} minute${minutes === 1 ? '' : 's'})`, ...deadLetter } },
      ...(alarms.length === 0
        ? []
        : [
            {
              eventBridge: {
                name: `ecs-autopilot-${stage}-scale-alarms`,
                description: 'Re-evaluate the services that name these alarms at once',
                pattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: alarms } },
                ...deadLetter,
              },
            },
          ]),
    ],
  }));
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

/**
 * The subscribe function (ship.autoSubscribe), declared only when prefixes are configured (null
 * otherwise, and Serverless drops the function): a sweep on a schedule, and a rule on CloudTrail's
 * CreateLogGroup under the prefixes, which exists only where a trail records management events
 * (the sweep covers accounts without one).
 */
function subscribeFunction({ resolveVariable }) {
  const { ship } = config();
  const prefixes = ship.autoSubscribe.prefixes;
  if (prefixes.length === 0) return null;
  const minutes = ship.autoSubscribe.everyMinutes;
  return Promise.resolve(resolveVariable('sls:stage')).then((stage) => ({
    handler: 'functions/subscribe/handler.handler',
    description: 'Subscribes the ship function to new log groups under ship.autoSubscribe prefixes; unsubscribes them on sls remove',
    role: 'SubscribeRole',
    package: { patterns: ['!functions/**', 'functions/subscribe/**/*.mjs', 'functions/subscribe/**/*.mjs.map'] },
    // A sweep of many log groups is one DescribeSubscriptionFilters call per group.
    timeout: 300,
    environment: { SHIP_FUNCTION_ARN: { 'Fn::GetAtt': ['ShipLambdaFunction', 'Arn'] } },
    maximumRetryAttempts: 2,
    destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
    events: [
      { eventBridge: { name: `ecs-autopilot-${stage}-subscribe-sweep`, description: 'Subscribe the log groups under ship.autoSubscribe prefixes not yet subscribed', schedule: `rate(${minutes} minute${minutes === 1 ? '' : 's'})`, ...deadLetterTarget(3600) } },
      {
        eventBridge: {
          name: `ecs-autopilot-${stage}-subscribe-created`,
          description: 'Subscribe a log group under ship.autoSubscribe prefixes as soon as it is created',
          pattern: {
            source: ['aws.logs'],
            'detail-type': ['AWS API Call via CloudTrail'],
            detail: { eventSource: ['logs.amazonaws.com'], eventName: ['CreateLogGroup'], errorCode: [{ exists: false }], requestParameters: { logGroupName: prefixes.map((prefix) => ({ prefix })) } },
          },
          ...deadLetterTarget(86400),
        },
      },
    ],
  }));
}

/**
 * What ship.autoSubscribe adds to the stack: the subscribe function's role; the ship function's
 * permission for CloudWatch Logs to invoke it from the groups under each prefix; and the custom
 * resource whose create sweeps at deploy and whose delete removes the stack's subscriptions on
 * `sls remove` (it depends on the permissions, so it is deleted before them).
 */
function subscribeResources() {
  const { ship } = config();
  const prefixes = ship.autoSubscribe.prefixes;
  if (prefixes.length === 0) return null;
  const permissions = Object.fromEntries(
    prefixes.map((prefix, i) => [
      `ShipLogsInvokePermission${i}`,
      {
        Type: 'AWS::Lambda::Permission',
        Properties: { FunctionName: { 'Fn::GetAtt': ['ShipLambdaFunction', 'Arn'] }, Action: 'lambda:InvokeFunction', Principal: 'logs.amazonaws.com', SourceArn: logGroupsUnder(prefix), SourceAccount: { Ref: 'AWS::AccountId' } },
      },
    ]),
  );
  return {
    Resources: {
      SubscribeRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: "ecs-autopilot subscribe function (least privilege, derived from its adapters' declared grants)",
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          Policies: [{ PolicyName: 'subscribe', PolicyDocument: { Version: '2012-10-17', Statement: functionPolicy('subscribe', loadTs('../functions/subscribe/permissions.ts').subscribeGrants(config())) } }],
        },
      },
      ...permissions,
      LogSubscriptions: {
        Type: 'Custom::LogSubscriptions',
        DependsOn: Object.keys(permissions),
        Properties: { ServiceToken: { 'Fn::GetAtt': ['SubscribeLambdaFunction', 'Arn'] }, Prefixes: prefixes, FilterPattern: ship.filterPattern },
      },
    },
  };
}

module.exports = {
  subscribeFunction,
  subscribeResources,
  scaleFunction,
  scalePolicy: () => functionPolicy('scale', loadTs('../functions/scale/permissions.ts').scaleGrants(config())),
  autopilot: () => config(),
  notifyEvents,
  taskStoppedPattern: () => loadTs('../shared/config/event-patterns.ts').taskStoppedPattern(config()),
  notifyPolicy: () => functionPolicy('notify', loadTs('../functions/notify/permissions.ts').notifyGrants(config())),
  remediateEvents,
  remediatePolicy: () => functionPolicy('remediate', loadTs('../functions/remediate/permissions.ts').remediateGrants(config())),
  // The dashboard and alarms on ecs-autopilot itself (build/operability.cjs).
  dashboardBody: (options) => stageOf(options).then((stage) => require('./operability.cjs').dashboardBody(stage)),
  handlerErrorMetrics: () => require('./operability.cjs').handlerErrorMetrics(),
  notificationsFailedQuery: (options) => stageOf(options).then((stage) => require('./operability.cjs').insightsQuery('notifications', 'SUM', stage, " AND outcome = 'failed'")),
  shipperFailuresQuery: (options) => stageOf(options).then((stage) => require('./operability.cjs').insightsQuery('shipperFailures', 'SUM', stage)),
  killSwitchEngagedQuery: (options) => stageOf(options).then((stage) => require('./operability.cjs').insightsQuery('killSwitchEngaged', 'MAX', stage)),
  killSwitchAlarmPeriods: () => config().operability.killSwitchAlarmMinutes / 5,
  shipEvents,
  shipPolicy: () => functionPolicy('ship', loadTs('../functions/ship/permissions.ts').shipGrants(config())),
};
