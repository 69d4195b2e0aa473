/**
 * Secret settings at rest (architecture invariant 8): every field an adapter names in `secretFields` is stored as
 * `enc:v1:<iv>.<tag>.<ciphertext>` (AES-256-GCM, key = `ECAT_SECRET_KEY`, base64url parts), never as plain text.
 * The field name is the additional authenticated data, so a ciphertext copied into another field does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../shared/errors.js';

export const ENCRYPTED_PREFIX = 'enc:v1:';
const AAD_PREFIX = 'ecat-channel-settings:';

/** Encrypts and decrypts secret setting values with one key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(secretKey: string) {
    const key = /^[0-9a-fA-F]{64}$/.test(secretKey) ? Buffer.from(secretKey, 'hex') : Buffer.from(secretKey, 'base64');
    if (key.length !== 32) throw new Error('ECAT_SECRET_KEY must be 32 bytes (64 hex characters or base64)');
    this.#key = key;
  }

  encrypt(plain: string, field: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(AAD_PREFIX + field));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${ENCRYPTED_PREFIX}${iv.toString('base64url')}.${tag.toString('base64url')}.${ct.toString('base64url')}`;
  }

  decrypt(stored: string, field: string): string {
    if (!stored.startsWith(ENCRYPTED_PREFIX)) throw new Error(`setting ${field} is not encrypted`);
    const [iv, tag, ct] = stored.slice(ENCRYPTED_PREFIX.length).split('.');
    if (iv === undefined || tag === undefined || ct === undefined) throw new Error(`setting ${field} is not a valid ciphertext`);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(AAD_PREFIX + field));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The box for the configured key, or null when `ECAT_SECRET_KEY` is unset. */
export function createSecretBox(secretKey: string | null): SecretBox | null {
  return secretKey ? new SecretBox(secretKey) : null;
}

function requireBox(box: SecretBox | null): SecretBox {
  if (box === null) {
    throw new AppError('unavailable', 'secret_key_missing', 'Channel secrets cannot be stored or read: ECAT_SECRET_KEY is not configured.');
  }
  return box;
}

/** Settings as stored: secret fields encrypted (values that are already ciphertext are kept as they are). */
export function encryptSecrets(settings: Record<string, unknown>, secretFields: readonly string[], box: SecretBox | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...settings };
  for (const field of secretFields) {
    const v = out[field];
    if (typeof v !== 'string' || v.startsWith(ENCRYPTED_PREFIX)) continue;
    out[field] = requireBox(box).encrypt(v, field);
  }
  return out;
}

/** Settings as the adapter needs them: secret fields decrypted. */
export function decryptSecrets(stored: Record<string, unknown>, secretFields: readonly string[], box: SecretBox | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const field of secretFields) {
    const v = out[field];
    if (typeof v !== 'string') continue;
    out[field] = requireBox(box).decrypt(v, field);
  }
  return out;
}

/** Settings safe to show: secret fields removed, and the names of those that are set. */
export function publicSettings(
  stored: Record<string, unknown>,
  secretFields: readonly string[],
): { settings: Record<string, unknown>; configuredSecrets: string[] } {
  const settings: Record<string, unknown> = {};
  const configuredSecrets: string[] = [];
  for (const [k, v] of Object.entries(stored)) {
    if (secretFields.includes(k)) {
      if (v !== undefined && v !== null) configuredSecrets.push(k);
    } else settings[k] = v;
  }
  return { settings, configuredSecrets: configuredSecrets.sort() };
}

/** The plain secret values of decrypted settings, for scrubbing anything that is logged or stored. */
export function secretValues(settings: Record<string, unknown>, secretFields: readonly string[]): string[] {
  return secretFields.map((f) => settings[f]).filter((v): v is string => typeof v === 'string' && v !== '');
}
