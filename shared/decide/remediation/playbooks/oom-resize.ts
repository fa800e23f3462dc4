// Off by default: repeated OOM kills of one container register a new revision of the task
// definition with that container's memory raised by `factor` (up to `maxMemoryMiB`), and deploy it.
import { currentRevision, failuresInWindow } from '../history.js';
import { noDecision, type Playbook } from '../types.js';
import { describeRevision, serviceTarget } from './common.js';

export const oomResize: Playbook<'oomResize'> = {
  name: 'oomResize',
  summary: 'raise the memory of a container that keeps being OOM-killed (opt-in, off by default)',
  actionTypes: ['resize-memory'],
  operations: ['register-task-definition', 'update-service'],
  plan({ signal, settings, view, history, memory, now }) {
    if (signal.kind !== 'task-stopped' || !signal.service) return noDecision();
    const current = currentRevision(history, view);
    if (!current || (signal.taskDefinitionArn && signal.taskDefinitionArn !== current)) return noDecision();
    const kills = failuresInWindow(history, now, settings.window, ['oom'], current);
    if (kills.length < settings.kills) return kills.length ? noDecision(`oom: ${kills.length} of ${settings.kills} OOM kills within ${settings.window}s`) : noDecision();
    if (!memory || memory.memoryMiB === undefined) return noDecision(`oom: the memory limit of the killed container is unknown; not resizing`);
    if (memory.memoryMiB >= settings.maxMemoryMiB) return noDecision(`oom: ${memory.container} already has ${memory.memoryMiB} MiB, the cap (maxMemoryMiB ${settings.maxMemoryMiB})`);
    const toMiB = Math.min(settings.maxMemoryMiB, Math.ceil((memory.memoryMiB * settings.factor) / 64) * 64);
    return {
      actions: [
        {
          type: 'resize-memory',
          playbook: 'oomResize',
          cluster: signal.cluster,
          service: serviceTarget(signal.cluster, signal.service),
          reason: `${kills.length} OOM kills of ${memory.container} within ${Math.round(settings.window / 60)} min on ${describeRevision(current)}; raising its memory from ${memory.memoryMiB} to ${toMiB} MiB`,
          from: current,
          to: `${describeRevision(current).split(':')[0]}:(new revision)`,
          memory: { container: memory.container, fromMiB: memory.memoryMiB, toMiB },
          expect: { taskDefinition: current },
          undo: `update the service back to ${describeRevision(current)} (ecs-autopilot undo ID)`,
          eventIds: [signal.eventId],
        },
      ],
      timers: [],
      notes: [],
    };
  },
};
