// Small helpers the playbooks share.
import { lastArnSegment } from '../../../intake/arns.js';

export const serviceTarget = (cluster: string, service: string) => `${cluster}/${service}`;

/** `family:revision` of a task definition ARN, the way people name revisions. */
export const describeRevision = (taskDefinition: string) => lastArnSegment(taskDefinition);
