// The normalised, source-independent inputs of the pipeline. Parsers turn raw AWS events into
// these; nothing after intake reads a raw event field.

/** Where an ECS resource lives. `cluster` is the cluster name ("" when the event does not say). */
export interface EcsScope {
  region: string;
  account: string;
  cluster: string;
  clusterArn?: string;
  /** ECS service name, when the resource belongs to a service. */
  service?: string;
  serviceArn?: string;
}

interface SignalBase {
  /** The EventBridge event id (or a stable id derived from the payload), used for idempotency. */
  eventId: string;
  /** The detail-type as AWS sent it, for reports. */
  detailType: string;
  /** When AWS says the event happened (ISO 8601). */
  time: string;
}

export interface StoppedContainer {
  name: string;
  image?: string;
  exitCode?: number;
  reason?: string;
  lastStatus?: string;
  /** The container's hard memory limit in MiB, when the task definition sets one. */
  memory?: string;
}

export interface TaskStopped extends SignalBase, EcsScope {
  kind: 'task-stopped';
  taskArn: string;
  taskId: string;
  taskDefinitionArn?: string;
  family?: string;
  revision?: number;
  launchType?: string;
  capacityProvider?: string;
  group?: string;
  startedBy?: string;
  stopCode?: string;
  stoppedReason?: string;
  stoppedAt?: string;
  /** The task's memory in MiB, as ECS reports it. */
  memory?: string;
  containers: StoppedContainer[];
}

/** Any task state change other than STOPPED (PENDING, RUNNING, DEPROVISIONING, new ones). */
export interface TaskStateChanged extends SignalBase, EcsScope {
  kind: 'task-state-changed';
  taskArn: string;
  lastStatus: string;
  desiredStatus?: string;
  taskDefinitionArn?: string;
}

export interface ServiceAction extends SignalBase, EcsScope {
  kind: 'service-action';
  /** INFO, WARN, ERROR, or whatever AWS adds. */
  eventType: string;
  /** SERVICE_STEADY_STATE, SERVICE_TASK_PLACEMENT_FAILURE, ... kept as sent. */
  eventName: string;
  reason?: string;
}

export interface DeploymentStateChanged extends SignalBase, EcsScope {
  kind: 'deployment-state-changed';
  eventType: string;
  /** SERVICE_DEPLOYMENT_IN_PROGRESS, SERVICE_DEPLOYMENT_COMPLETED, SERVICE_DEPLOYMENT_FAILED, ... */
  eventName: string;
  deploymentId?: string;
  reason?: string;
}

export interface ContainerInstanceStateChanged extends SignalBase, EcsScope {
  kind: 'container-instance-state-changed';
  containerInstanceArn: string;
  ec2InstanceId?: string;
  status: string;
  agentConnected: boolean;
}

export interface AlarmStateChanged extends SignalBase {
  kind: 'alarm-state-changed';
  region: string;
  account: string;
  alarmName: string;
  alarmArn?: string;
  state: string;
  previousState?: string;
  reason?: string;
  /** Dimensions of the metrics the alarm watches, merged (ClusterName, ServiceName, TargetGroup, ...). */
  dimensions: Record<string, string>;
  /** Names of the metrics the alarm watches (UnHealthyHostCount, ...); empty for composite alarms. */
  metricNames: string[];
}

export interface ScheduledTick extends SignalBase {
  kind: 'scheduled-tick';
  region: string;
  account: string;
  ruleArn?: string;
}

export interface LogEventLine {
  id: string;
  timestamp: number;
  message: string;
}

export interface LogBatch extends SignalBase {
  kind: 'log-batch';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  /** CloudWatch Logs sends CONTROL_MESSAGE batches to check the destination; they carry no logs. */
  control: boolean;
  logEvents: LogEventLine[];
}

/**
 * A CloudWatch Logs API call that CloudTrail recorded, as EventBridge delivers it; the subscriber
 * acts on CreateLogGroup. errorCode is set when the call failed (nothing was created).
 */
export interface LogsApiCall extends SignalBase {
  kind: 'logs-api-call';
  region: string;
  account: string;
  eventName: string;
  logGroup?: string;
  errorCode?: string;
}

/**
 * A CloudFormation custom resource request: the stack that owns the resource is being created,
 * updated or deleted, and waits for an answer at responseUrl (a pre-signed S3 URL).
 */
export interface StackRequest extends SignalBase {
  kind: 'stack-request';
  /** Create, Update or Delete (as CloudFormation sends it; anything else is answered and ignored). */
  requestType: string;
  responseUrl: string;
  stackId: string;
  requestId: string;
  logicalResourceId: string;
  physicalResourceId?: string;
  properties: Record<string, unknown>;
  oldProperties?: Record<string, unknown>;
}

/** Work the pipeline set itself for later: check a disconnected agent again, flush a group. */
export type TimerBody =
  | { type: 'agent-check'; containerInstanceArn: string; cluster: string; ec2InstanceId?: string }
  | { type: 'group-flush'; group: string }
  /** remediation: drain the instance if its agent is still disconnected. */
  | { type: 'remediate-agent-check'; containerInstanceArn: string; cluster: string }
  /** remediation: move a service back from its fallback capacity once the original is healthy. */
  | { type: 'remediate-capacity-check'; cluster: string; service: string };

/** A timer firing: an SQS message the pipeline sent itself with a delay. */
export interface TimerFired extends SignalBase {
  kind: 'timer';
  region: string;
  account: string;
  body: TimerBody;
}

export type Signal =
  | TaskStopped
  | TaskStateChanged
  | ServiceAction
  | DeploymentStateChanged
  | ContainerInstanceStateChanged
  | AlarmStateChanged
  | ScheduledTick
  | LogBatch
  | TimerFired
  | LogsApiCall
  | StackRequest;

export type SignalKind = Signal['kind'];

/** The result of intake: a signal, or an event this tool has no parser for (logged, ignored). */
export type Intake =
  | { type: 'signal'; signal: Signal }
  | { type: 'unrecognised'; eventId: string; detailType: string; why: string };
