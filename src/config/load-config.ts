import { configSchema, type Config, type Setting } from './config.schema.js';

/** Thrown at boot when any variable is invalid; the message lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Read, validate and freeze the configuration. Nothing else in the codebase reads `process.env`.
 * `overrides` (already-typed values) win over the environment; the CLI uses them for flags.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(configSchema) as [string, Setting<unknown>][]) {
    if (key in overrides && (overrides as Record<string, unknown>)[key] !== undefined) {
      out[key] = (overrides as Record<string, unknown>)[key];
      continue;
    }
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      out[key] = spec.fallback;
      continue;
    }
    const parsed = spec.parse(raw);
    if (parsed.ok) out[key] = parsed.value;
    else problems.push(`${spec.env} ${parsed.problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/** Lines describing every variable, for `--help`. */
export function describeConfig(): string {
  return Object.values(configSchema)
    .map((s: Setting<unknown>) => `  ${s.env.padEnd(30)} ${s.doc}${s.fallback === null ? '' : ` (default ${JSON.stringify(s.fallback)})`}`)
    .join('\n');
}
