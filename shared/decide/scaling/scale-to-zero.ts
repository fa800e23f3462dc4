// Scale to zero and activation (KEDA's idle and activation): a service may go to zero tasks only
// when every load policy has read at or under its activation threshold for `idleFor`; a service at
// zero stays there until one reads above it, and then wakes to at least `activationCount`.
// Missing data is never idleness: it neither sends a service to zero nor wakes it.
import type { PolicyEvaluation, ScaledService } from './types.js';

export interface IdleState {
  /** Since when the load has been idle (undefined: not idle now). */
  idleSince?: number;
  /** Zero tasks are allowed now. */
  zeroAllowed: boolean;
  /** At least this many tasks, to wake the service (0: no wake-up). */
  wakeTo: number;
  explanation?: string;
}

export function idleState(service: ScaledService, load: PolicyEvaluation[], current: number, previousIdleSince: number | undefined, nowSeconds: number): IdleState {
  const settings = service.scaleToZero;
  if (!settings || load.length === 0) return { zeroAllowed: service.min === 0, wakeTo: 0 };
  const complete = load.every((e) => e.missing === undefined);
  const active = load.some((e) => e.active);
  const idle = complete && !active;
  const idleSince = idle ? (previousIdleSince ?? nowSeconds) : undefined;
  if (current === 0) {
    if (active) return { zeroAllowed: false, wakeTo: settings.activationCount, explanation: `activation: ${load.filter((e) => e.active).map((e) => e.policy).join(', ')} above the activation threshold wakes the service to ${settings.activationCount}` };
    return { ...(idleSince !== undefined ? { idleSince } : {}), zeroAllowed: true, wakeTo: 0, explanation: complete ? 'scale to zero: idle, stays at zero' : 'scale to zero: data missing, stays at zero' };
  }
  if (idleSince !== undefined && nowSeconds - idleSince >= settings.idleFor) {
    return { idleSince, zeroAllowed: true, wakeTo: 0, explanation: `scale to zero: idle for ${Math.round((nowSeconds - idleSince) / 60)} min (idleFor ${settings.idleFor / 60} min)` };
  }
  return { ...(idleSince !== undefined ? { idleSince } : {}), zeroAllowed: false, wakeTo: 0 };
}
