// The remediation kill switch: an SSM parameter read on every invocation (never cached), so an
// engineer can stop every action within seconds: `aws ssm put-parameter --name NAME --value on
// --type String --overwrite`. A missing parameter means "off"; a parameter that cannot be read
// fails the invocation (Lambda retries it) rather than act without knowing.
// The SSM client is passed as a loader: remediate loads the SDK (a large part of its bundle) only
// when an invocation could act and reads the switch, not at cold start.
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { RuntimeEnvironment } from '../config/environment.js';
import { createAwsClient } from './aws-clients.js';
import type { IamGrant } from './iam.js';
import { once } from './load-once.js';

export const killSwitchGrants = (parameter: string): IamGrant[] => [
  { purpose: 'read the remediation kill switch', actions: ['ssm:GetParameter'], resource: `ssm-parameter:${parameter}` },
];

export interface KillSwitch {
  /** The parameter's value when it engages the switch, undefined when off. */
  engaged(): Promise<string | undefined>;
}

const ENGAGED = new Set(['on', 'true', 'engaged', 'stop', '1']);

/** What the switch needs of SSM: the client and the command, loaded on the first read. */
export interface SsmLoader {
  (): Promise<{ client: SSMClient; GetParameterCommand: typeof import('@aws-sdk/client-ssm').GetParameterCommand }>;
}

/** The SDK's SSM client and command, imported on the first read (a chunk of their own in a bundle). */
export const lazySsm = (env: RuntimeEnvironment): SsmLoader =>
  once(async () => {
    const { SSMClient, GetParameterCommand } = await import('./ssm-parameter-sdk.js');
    return { client: createAwsClient(SSMClient, env), GetParameterCommand };
  });

export function createKillSwitch(ssm: SsmLoader, parameter: string): KillSwitch {
  return {
    async engaged() {
      try {
        const { client, GetParameterCommand } = await ssm();
        const result = await client.send(new GetParameterCommand({ Name: parameter }));
        const value = result.Parameter?.Value?.trim().toLowerCase() ?? '';
        return ENGAGED.has(value) ? value : undefined;
      } catch (error) {
        if ((error as Error).name === 'ParameterNotFound') return undefined;
        throw new Error(`could not read the kill switch ${parameter} (${(error as Error).name}: ${(error as Error).message}); not acting without knowing`);
      }
    },
  };
}
