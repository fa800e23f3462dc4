// Carries a plan out through adapters. Dry-run lives here and only here: a planned action is
// reported exactly as it would be executed, without the call.
import type { Notifier } from '../adapters/sns-notifier.js';
import type { Action } from '../decide/plan.js';

export interface Adapters {
  notifier: Notifier;
}

export interface ActionReport {
  type: Action['type'];
  severity: string;
  cause: string;
  kind: string;
  cluster: string;
  service?: string;
  subject: string;
  /** `sent` when carried out, `planned` in dry-run / offline. */
  status: 'sent' | 'planned';
  messageId?: string;
}

export interface ExecuteOptions {
  dryRun: boolean;
}

function report(action: Action, status: ActionReport['status'], messageId?: string): ActionReport {
  return {
    type: action.type,
    severity: action.severity,
    cause: action.cause,
    kind: action.kind,
    cluster: action.cluster,
    ...(action.service ? { service: action.service } : {}),
    subject: action.subject,
    status,
    ...(messageId ? { messageId } : {}),
  };
}

export async function execute(actions: Action[], adapters: Adapters, options: ExecuteOptions): Promise<ActionReport[]> {
  const reports: ActionReport[] = [];
  for (const action of actions) {
    if (options.dryRun) {
      reports.push(report(action, 'planned'));
      continue;
    }
    switch (action.type) {
      case 'notify': {
        const { messageId } = await adapters.notifier.notify(action);
        reports.push(report(action, 'sent', messageId));
        break;
      }
    }
  }
  return reports;
}
