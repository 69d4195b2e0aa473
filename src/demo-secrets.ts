/**
 * Demo mode (`npm start`) needs a JWT secret and an encryption key without any setup. They are generated once and
 * kept next to the embedded database (`<data dir>/../demo-secrets.json`, mode 0600), so tokens printed on one start
 * keep working on the next.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface DemoSecrets {
  jwtSecret: string;
  secretKey: string;
}

export function demoSecretsPath(dataDir: string | null): string {
  return join(dataDir ? dirname(resolve(dataDir)) : resolve('.ecat'), 'demo-secrets.json');
}

export function readDemoSecrets(dataDir: string | null): DemoSecrets | null {
  const path = demoSecretsPath(dataDir);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as DemoSecrets;
}

export function loadOrCreateDemoSecrets(dataDir: string | null): DemoSecrets {
  const existing = readDemoSecrets(dataDir);
  if (existing) return existing;
  const secrets: DemoSecrets = { jwtSecret: randomBytes(32).toString('base64url'), secretKey: randomBytes(32).toString('hex') };
  const path = demoSecretsPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
