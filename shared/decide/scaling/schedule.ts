// Time windows: while a window is open (from each cron match, for `duration`, in its time zone),
// it sets min and/or max. Reads nothing; the clock is the input.
import { parseCron, type CronSchedule, windowOpen } from './cron.js';
import type { PolicyDefinition } from './policy.js';

const parsed = new Map<string, CronSchedule>();

export const schedulePolicy: PolicyDefinition<'schedule'> = {
  type: 'schedule',
  describe: (policy) => `schedule "${policy.cron}" ${policy.timezone}`,
  evaluate(policy, _reading, now) {
    const name = this.describe(policy);
    let cron = parsed.get(policy.cron);
    if (!cron) parsed.set(policy.cron, (cron = parseCron(policy.cron)));
    if (!windowOpen(cron, policy.timezone, policy.duration, now)) return { policy: name, explanation: `${name}: closed` };
    const limits = { ...(policy.min !== undefined ? { min: policy.min } : {}), ...(policy.max !== undefined ? { max: policy.max } : {}) };
    return { policy: name, limits, explanation: `${name}: open (${[policy.min !== undefined ? `min ${policy.min}` : '', policy.max !== undefined ? `max ${policy.max}` : ''].filter(Boolean).join(', ')})` };
  },
};
