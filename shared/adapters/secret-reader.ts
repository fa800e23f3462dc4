// Reads secrets (Slack webhook URLs) named by a reference in the configuration, so that no secret
// is ever written into autopilot.yml, the bundle or the stack:
//   ssm:/path/to/param                  SSM Parameter Store, SecureString or String (decrypted)
//   secretsmanager:NAME_OR_ARN          Secrets Manager: the SecretString exactly as stored, even when
//                                       it is JSON (no guessing at `url` or single-key objects)
//   secretsmanager:NAME_OR_ARN#jsonKey  the string under that top-level key of a JSON SecretString
// Values are cached per Lambda container for cacheSeconds: a warm container makes no call, and a
// rotated secret is picked up within that time. Error messages name the reference and the cause,
// never the value.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { IamGrant } from './iam.js';

export interface SecretReader {
  read(reference: string, now: Date): Promise<string>;
}

export type SecretReference =
  | { kind: 'ssm'; name: string }
  | { kind: 'secretsmanager'; secretId: string; jsonKey?: string };

const VALID_FORMS = 'ssm:/path/to/parameter, secretsmanager:NAME_OR_ARN or secretsmanager:NAME_OR_ARN#jsonKey';
// The characters SSM and Secrets Manager allow in names, plus ':' for ARNs. Checking them here turns
// a typo into an error at package time (the grants are derived from references) rather than at 3 a.m.
const SSM_NAME = /^[A-Za-z0-9_.\-/:]+$/;
const SECRET_ID = /^[A-Za-z0-9/_+=.@\-:]+$/;

export function parseSecretReference(reference: string): SecretReference {
  const malformed = (why: string) => new Error(`secret reference '${reference}' ${why}; use ${VALID_FORMS}`);
  const colon = reference.indexOf(':');
  const scheme = colon < 0 ? '' : reference.slice(0, colon);
  const rest = reference.slice(colon + 1);
  if (scheme === 'ssm') {
    if (rest.includes('#')) throw malformed('has a #jsonKey, which only secretsmanager: references support');
    if (!SSM_NAME.test(rest)) throw malformed('does not name an SSM parameter');
    return { kind: 'ssm', name: rest };
  }
  if (scheme === 'secretsmanager') {
    const [secretId = '', jsonKey, extra] = rest.split('#');
    if (extra !== undefined || jsonKey === '') throw malformed('has a malformed #jsonKey');
    if (!SECRET_ID.test(secretId)) throw malformed('does not name a Secrets Manager secret');
    return jsonKey === undefined ? { kind: 'secretsmanager', secretId } : { kind: 'secretsmanager', secretId, jsonKey };
  }
  throw malformed(colon < 0 ? 'has no source prefix' : `has an unknown source '${scheme}'`);
}

/**
 * The role statements that reading these references needs, one parameter or secret each. No
 * kms:Decrypt: values encrypted with the AWS-managed keys (aws/ssm, aws/secretsmanager) are
 * decrypted by the service on the caller's behalf. A customer-managed key needs kms:Decrypt on
 * that key, which is not granted here.
 */
export function secretReaderGrants(references: string[]): IamGrant[] {
  return references.map((reference): IamGrant => {
    const parsed = parseSecretReference(reference);
    return parsed.kind === 'ssm'
      ? { purpose: `read the secret ${reference}`, actions: ['ssm:GetParameter'], resource: `ssm-parameter:${parsed.name}` }
      : { purpose: `read the secret ${reference}`, actions: ['secretsmanager:GetSecretValue'], resource: `secret:${parsed.secretId}` };
  });
}

/**
 * What to do about a failed call, by the error's name. Only the name is shown: an SDK message is
 * usually harmless, but a deserialisation failure may describe the response, which holds the value.
 */
function hint(errorName: string): string {
  if (errorName === 'ParameterNotFound') return 'create it as a SecureString, see README';
  if (errorName === 'ResourceNotFoundException') return 'create the secret in Secrets Manager in this account and region, see README';
  if (errorName === 'AccessDeniedException' || errorName === 'AccessDenied') {
    return "the function's role may not read it: its grants come from the configured references, so redeploy after changing them; a customer-managed KMS key also needs kms:Decrypt";
  }
  if (errorName === 'DecryptionFailure' || errorName.startsWith('KMS')) return 'its KMS key could not decrypt it; check that the key exists and the role may use it';
  return 'the invocation fails and Lambda retries it; see README';
}

function sourceOf(reference: SecretReference): string {
  return reference.kind === 'ssm' ? `ssm:${reference.name}` : `secretsmanager:${reference.secretId}`;
}

/** The top-level key of a JSON secret; the errors name the keys present, never a value or a parse snippet. */
function pickJsonKey(reference: string, secret: string, key: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    // JSON.parse's message quotes the text it choked on, which is the secret: say only that it is not JSON.
    throw new Error(`secret ${reference}: the secret is not JSON, so it has no key '${key}'; drop the #${key} suffix to read it whole`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`secret ${reference}: the secret is JSON but not an object, so it has no key '${key}'`);
  }
  const value = (parsed as Record<string, unknown>)[key];
  if (typeof value !== 'string') {
    const keys = Object.keys(parsed).map((k) => `'${k}'`).join(', ') || 'none';
    throw new Error(
      value === undefined
        ? `secret ${reference}: the JSON has no key '${key}' (its keys: ${keys})`
        : `secret ${reference}: the value under '${key}' is a ${typeof value}, not a string`,
    );
  }
  return value;
}

export function createSecretReader(clients: { ssm: SSMClient; secretsManager: SecretsManagerClient }, options: { cacheSeconds: number }): SecretReader {
  // Keyed by parameter or secret, not by full reference, so several #keys of one JSON secret cost one
  // call. `until` is unset while the call is in flight: concurrent readers share that one call.
  const cache = new Map<string, { value: Promise<string>; until?: number }>();

  async function fetchValue(reference: SecretReference): Promise<string> {
    let value: string | undefined;
    try {
      value =
        reference.kind === 'ssm'
          ? (await clients.ssm.send(new GetParameterCommand({ Name: reference.name, WithDecryption: true }))).Parameter?.Value
          : (await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: reference.secretId }))).SecretString;
    } catch (error) {
      const name = (error as Error).name || 'Error';
      throw new Error(`secret ${sourceOf(reference)} could not be read (${name}): ${hint(name)}`);
    }
    // A binary Secrets Manager secret has no SecretString; an empty value is never a usable webhook.
    if (!value) throw new Error(`secret ${sourceOf(reference)} has no string value: store the value as a string (not binary, not empty), see README`);
    return value;
  }

  return {
    async read(reference, now) {
      const parsed = parseSecretReference(reference);
      const key = sourceOf(parsed);
      let entry = cache.get(key);
      if (!entry || (entry.until !== undefined && entry.until <= now.getTime())) {
        const created: { value: Promise<string>; until?: number } = { value: fetchValue(parsed) };
        cache.set(key, created);
        created.value.then(
          () => {
            created.until = now.getTime() + options.cacheSeconds * 1000;
          },
          // A failure is not cached: the next invocation (Lambda's retry) asks again.
          () => {
            if (cache.get(key) === created) cache.delete(key);
          },
        );
        entry = created;
      }
      const secret = await entry.value;
      return parsed.kind === 'secretsmanager' && parsed.jsonKey !== undefined ? pickJsonKey(reference, secret, parsed.jsonKey) : secret;
    },
  };
}
