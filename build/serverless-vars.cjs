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
    default: {
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

module.exports = {
  autopilot: () => config(),
  taskStoppedPattern: () => loadTs('../shared/config/event-patterns.ts').taskStoppedPattern(config()),
  notifyPolicy: () => functionPolicy('notify', loadTs('../functions/notify/permissions.ts').notifyGrants),
};
