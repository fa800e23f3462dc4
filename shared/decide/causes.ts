// The cause vocabulary: why an ECS task stopped, in words an on-call engineer uses. Each cause has
// a default severity and says whether it notifies; the config can override both per cause.

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CAUSES = [
  'oom',
  'image-pull',
  'task-init',
  'health-check',
  'app-exit',
  'spot-interruption',
  'maintenance',
  'deployment',
  'user',
  'completed',
  'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

export interface CauseDefaults {
  severity: Severity;
  /** Whether a task stopped for this cause is a failure worth a notification by default. */
  notify: boolean;
  /** One line an engineer reads first: what it means. */
  meaning: string;
  /** What to do about it. */
  hint: string;
}

export const CAUSE_DEFAULTS: Record<Cause, CauseDefaults> = {
  oom: {
    severity: 'critical',
    notify: true,
    meaning: 'a container was killed for using more memory than its limit',
    hint: 'Raise the container memory (or the task memory) in the task definition, or find the leak; the limit is a hard cap, so the kernel kills the process.',
  },
  'image-pull': {
    severity: 'critical',
    notify: true,
    meaning: 'the container image could not be pulled',
    hint: 'Check that the image tag exists, that the task execution role may pull it (ecr:GetAuthorizationToken, ecr:BatchGetImage), and that the task has a route to the registry (NAT gateway or VPC endpoints).',
  },
  'task-init': {
    severity: 'critical',
    notify: true,
    meaning: 'the task could not start: secrets, network interface or container creation failed',
    hint: 'Read the reason: a secret or parameter the execution role cannot read, an ENI that could not be attached (subnet IPs, security group), or a container that could not be created.',
  },
  'health-check': {
    severity: 'warning',
    notify: true,
    meaning: 'the task failed its load balancer or container health checks and was replaced',
    hint: 'Check the health check path and port, the grace period (healthCheckGracePeriodSeconds) against the start-up time, and the last log lines of the container.',
  },
  'app-exit': {
    severity: 'critical',
    notify: true,
    meaning: 'an essential container exited on its own',
    hint: 'Read the last log lines of the container; a non-zero exit code comes from the application (or a missing file or variable it needs).',
  },
  'spot-interruption': {
    severity: 'warning',
    notify: true,
    meaning: 'AWS reclaimed the Spot capacity the task ran on',
    hint: 'Expected on FARGATE_SPOT or Spot instances; if it happens often, mix in on-demand capacity with a base in the capacity provider strategy.',
  },
  maintenance: {
    severity: 'info',
    notify: false,
    meaning: 'AWS stopped the task for host or infrastructure maintenance',
    hint: 'Nothing to do: the scheduler replaces the task. Keep at least two tasks across Availability Zones so maintenance never takes a service down.',
  },
  deployment: {
    severity: 'info',
    notify: false,
    meaning: 'the scheduler replaced the task as part of a deployment or scale-in',
    hint: 'Normal operation.',
  },
  user: {
    severity: 'info',
    notify: false,
    meaning: 'someone (or something with their credentials) stopped the task',
    hint: 'Check CloudTrail for the StopTask call if this was not expected.',
  },
  completed: {
    severity: 'info',
    notify: false,
    meaning: 'a standalone task finished: every essential container exited 0',
    hint: 'Normal end of a job.',
  },
  unknown: {
    severity: 'warning',
    notify: true,
    meaning: 'the task stopped for a reason this tool does not recognise',
    hint: 'Read the stopped reason and the container reasons below; please report it so the classifier learns it.',
  },
};
