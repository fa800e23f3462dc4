// Loaded when the disconnected-agent playbook first replaces an instance (a chunk of its own): the
// Auto Scaling client. Almost every invocation acts on nothing, and a client is a large part of a
// bundle's import (npm run bench).
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { createAwsClient } from '../../shared/adapters/aws-clients.js';
import { createInstanceReplacer } from '../../shared/adapters/autoscaling-replace.js';
import type { RuntimeEnvironment } from '../../shared/config/environment.js';

export const createReplacer = (env: RuntimeEnvironment) => createInstanceReplacer(createAwsClient(AutoScalingClient, env));
