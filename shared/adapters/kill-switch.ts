// The remediation kill switch: an SSM parameter read on every invocation (never cached), so an
// engineer can stop every action within seconds: `aws ssm put-parameter --name NAME --value on
// --type String --overwrite`. A missing parameter means "off"; a parameter that cannot be read
// fails the invocation (Lambda retries it) rather than act without knowing.
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { IamGrant } from './iam.js';

export const killSwitchGrants = (parameter: string): IamGrant[] => [
  { purpose: 'read the remediation kill switch', actions: ['ssm:GetParameter'], resource: `ssm-parameter:${parameter}` },
];

export interface KillSwitch {
  /** The parameter's value when it engages the switch, undefined when off. */
  engaged(): Promise<string | undefined>;
}

const ENGAGED = new Set(['on', 'true', 'engaged', 'stop', '1']);

export function createKillSwitch(client: SSMClient, parameter: string): KillSwitch {
  return {
    async engaged() {
      try {
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
