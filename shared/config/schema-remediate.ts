// The `remediate:` section of autopilot.yml: which playbooks exist, who is opted in, and the safety
// limits the executor applies to every action. Everything is off unless turned on: a playbook must
// be enabled here AND the service opted in (by `optIn` below or its `ecs-autopilot:remediate` tag).
import * as z from 'zod/mini';
import { duration } from './schema-duration.js';

const about = (description: string) => z.describe(description);


/** Limits every playbook has; the executor enforces them, never the playbook itself. */
const limits = {
  cooldown: z._default(duration.check(about('After this playbook acts on a target (a service or container instance), no playbook acts on that target again for this long (a capacity restore has its own).')), 1800),
  maxPerHour: z._default(z.int().check(z.minimum(1), z.maximum(60), about('This playbook acts only while its target has had fewer than this many actions this clock hour, all playbooks counted.')), 2),
};

const playbook = <S extends Record<string, z.ZodMiniType>>(shape: S, description: string) =>
  z.strictObject({ enabled: z._default(z.boolean(), false), ...limits, ...shape }).check(about(description));

const REMEDIABLE_CAUSES = ['app-exit', 'oom', 'health-check', 'task-init', 'image-pull', 'unknown'] as const;

const capacityProviderItem = z.strictObject({
  capacityProvider: z.string().check(z.minLength(1)),
  weight: z._default(z.int().check(z.minimum(0), z.maximum(1000)), 1),
  base: z._default(z.int().check(z.minimum(0), z.maximum(100000)), 0),
});

const clusterOrServiceGlob = z.string().check(z.regex(/^[A-Za-z0-9_*-]{1,255}(\/[A-Za-z0-9_*-]{1,255})?$/, 'CLUSTER or CLUSTER/SERVICE, each a name or a glob with *'));

export const remediateSchema = z
  .strictObject({
    dryRun: z._default(z.boolean().check(about('Plan and announce every action, carry out none.')), false),
    killSwitchParameter: z._default(
      z.string().check(z.regex(/^\/[\w.\-/]{1,1000}$/, 'an SSM parameter name starting with /'), about('SSM parameter read on every invocation; the value "on" stops every action.')),
      '/ecs-autopilot/kill-switch',
    ),
    maxActionsPerHour: z._default(z.int().check(z.minimum(1), z.maximum(1000), about('Global budget: at most this many actions per clock hour, all playbooks and targets together.')), 10),
    auditRetentionDays: z._default(z.int().check(z.minimum(1), z.maximum(400)), 90),
    optIn: z._default(
      z.array(clusterOrServiceGlob).check(
        about('Services opted in by configuration: CLUSTER (every service and container instance of it) or CLUSTER/SERVICE, globs allowed. Others opt in with the ecs-autopilot:remediate tag.'),
      ),
      [],
    ),
    playbooks: z.prefault(
      z.strictObject({
        crashLoop: z.prefault(
          playbook(
            {
              failures: z._default(z.int().check(z.minimum(2), z.maximum(100)), 3),
              window: z._default(duration, 600),
              causes: z._default(z.array(z.enum(REMEDIABLE_CAUSES)), ['app-exit', 'oom', 'health-check', 'task-init']),
              afterDeployment: z._default(duration.check(about('Failures that start this soon after a deployment to a new revision roll it back.')), 3600),
              healthyFor: z._default(duration.check(about('A revision is good to roll back to only if it held steady state this long without a crash loop.')), 900),
              pauseTo: z._default(z.union([z.int().check(z.minimum(0)), z.literal('none')]).check(about('Without a good revision to roll back to, scale the service to this floor; "none" only notifies.')), 'none'),
            },
            'Crash loop: roll back to the last good revision, or pause the bleeding.',
          ),
          {},
        ),
        failedDeployment: z.prefault(playbook({}, 'A failed deployment the circuit breaker does not roll back: update the service to its last steady task definition.'), {}),
        disconnectedAgent: z.prefault(
          playbook(
            {
              after: z._default(duration.check(z.maximum(900), about('Drain when the agent stays disconnected this long (at most 15m).')), 600),
              replace: z._default(z.boolean().check(about('Also terminate the instance in its Auto Scaling group (desired capacity kept, so it is replaced).')), false),
            },
            'A container instance whose agent stays disconnected is set to DRAINING.',
          ),
          {},
        ),
        unhealthyTargets: z.prefault(
          playbook(
            { metrics: z._default(z.array(z.string().check(z.minLength(1))), ['UnHealthyHostCount', 'HTTPCode_Target_5XX_Count']) },
            'An alarm on the service\'s target group forces a new deployment (restart), at most once per cooldown.',
          ),
          {},
        ),
        capacityFallback: z.prefault(
          playbook(
            {
              from: z._default(z.array(z.string().check(z.minLength(1))), ['FARGATE_SPOT']),
              fallback: z._default(z.array(capacityProviderItem).check(z.minLength(1)), [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }]),
              interruptions: z._default(z.int().check(z.minimum(1), z.maximum(1000), about('Spot interruptions within the window that trigger the fallback.')), 3),
              window: z._default(duration, 900),
              restoreAfter: z._default(duration.check(about('Move back when the original capacity has had no failure for this long.')), 3600),
            },
            'Move a service that cannot get Spot or EC2 capacity to a fallback capacity provider strategy, and back later.',
          ),
          {},
        ),
        oomResize: z.prefault(
          playbook(
            {
              kills: z._default(z.int().check(z.minimum(1), z.maximum(100)), 3),
              window: z._default(duration, 3600),
              factor: z._default(z.number().check(z.minimum(1.05), z.maximum(4)), 1.5),
              maxMemoryMiB: z._default(z.int().check(z.minimum(128), z.maximum(122880)), 4096),
            },
            'Repeated OOM kills register a revision with the container\'s memory raised, up to a cap, and deploy it.',
          ),
          {},
        ),
      }),
      {},
    ),
  })
  .check(about('Opt-in, rate-limited, audited fixes (playbooks).'));

export type RemediateConfig = z.output<typeof remediateSchema>;
export type PlaybookName = keyof RemediateConfig['playbooks'];
