// A container instance whose ECS agent stays disconnected cannot start or stop tasks; its tasks
// keep running blind. After `after` seconds, set it to DRAINING so ECS moves the service tasks
// elsewhere, and optionally terminate it in its Auto Scaling group so a fresh one replaces it.
import { secondsBetween } from '../history.js';
import { noDecision, type Playbook } from '../types.js';

export const disconnectedAgent: Playbook<'disconnectedAgent'> = {
  name: 'disconnectedAgent',
  summary: 'drain (and optionally replace) a container instance whose agent stays disconnected',
  actionTypes: ['drain-instance'],
  operations: ['set-instance-draining', 'replace-asg-instance'],
  plan({ signal, settings, agent, instance, now }) {
    const arn =
      signal.kind === 'container-instance-state-changed' ? signal.containerInstanceArn : signal.kind === 'timer' && signal.body.type === 'remediate-agent-check' ? signal.body.containerInstanceArn : undefined;
    if (!arn) return noDecision();
    const cluster = signal.kind === 'container-instance-state-changed' ? signal.cluster : signal.kind === 'timer' && 'cluster' in signal.body ? signal.body.cluster : '';
    if (!agent) return noDecision(`agent of ${arn} is connected`);
    // The live view (online) wins over the event: the agent may have come back since.
    const connected = instance ? instance.agentConnected : signal.kind === 'container-instance-state-changed' && signal.agentConnected;
    const status = instance?.status ?? (signal.kind === 'container-instance-state-changed' ? signal.status : 'ACTIVE');
    if (connected) return noDecision(`agent of ${arn} reconnected`);
    if (status !== 'ACTIVE') return noDecision(`container instance ${arn} is ${status}; nothing to drain`);
    const disconnectedFor = secondsBetween(agent.disconnectedSince, now);
    if (disconnectedFor < settings.after) {
      return {
        actions: [],
        timers: signal.kind === 'timer' ? [] : [{ delaySeconds: Math.ceil(settings.after - disconnectedFor), body: { type: 'remediate-agent-check', containerInstanceArn: arn, cluster } }],
        notes: [`agent of ${arn} disconnected ${Math.round(disconnectedFor)}s ago; checking again at ${settings.after}s`],
      };
    }
    return {
      actions: [
        {
          type: 'drain-instance',
          playbook: 'disconnectedAgent',
          cluster,
          containerInstance: arn,
          reason: `the ECS agent of ${instance?.ec2InstanceId ?? arn} has been disconnected since ${agent.disconnectedSince} (${Math.round(disconnectedFor / 60)} min, threshold ${Math.round(settings.after / 60)} min)`,
          from: 'ACTIVE',
          to: 'DRAINING',
          ...(settings.replace ? { replaceInstance: true } : {}),
          expect: { agentDisconnected: true },
          undo: settings.replace ? 'the instance is replaced by its Auto Scaling group; nothing to undo' : 'set the instance back to ACTIVE (ecs-autopilot undo ID)',
          eventIds: agent.eventIds,
        },
      ],
      timers: [],
      notes: [],
    };
  },
};
