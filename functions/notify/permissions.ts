// The IAM grants of the notify function: the union of what the adapters it wires declare.
import { serviceTagReaderGrants } from '../../shared/adapters/ecs-service-tags.js';
import type { IamGrant } from '../../shared/adapters/iam.js';
import { snsNotifierGrants } from '../../shared/adapters/sns-notifier.js';
import { stateStoreGrants } from '../../shared/state/dynamodb-store.js';

export const notifyGrants: IamGrant[] = [...snsNotifierGrants, ...serviceTagReaderGrants, ...stateStoreGrants];
