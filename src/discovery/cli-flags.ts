/**
 * Flag parsing for the discovery commands (`ecat dataset generate`, `ecat discovery-sim`). Deliberately strict:
 * an unknown flag or a missing value is a usage error (exit code 2), not something to guess around.
 */

/** Parses `--name value` and `--name=value` flags (`--help` takes no value); null when the list is malformed. */
export function parseFlags(argv: readonly string[], known: readonly string[]): Map<string, string> | null {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) return null;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!known.includes(name)) return null;
    if (name === 'help') {
      out.set('help', 'true');
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) return null;
    out.set(name, value);
  }
  return out;
}
