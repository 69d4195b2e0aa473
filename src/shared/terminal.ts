/** Output helpers shared by the long-running CLI commands (`ecat refresh`, `ecat transmit`). */

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Progress output (a TTY gets a live bar); null for none. */
  progress: NodeJS.WriteStream | null;
}

export const defaultIo: CommandIo = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  progress: process.stderr.isTTY ? process.stderr : null,
};

/** A plain text table: numeric columns (digits, `.` and `/`) right-aligned, everything else left-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d./]*$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A one-line progress bar redrawn in place (`[####....] done/total detail`); nothing when `stream` is null. */
export function progressBar(stream: NodeJS.WriteStream | null, total: number) {
  const width = 30;
  let drawn = false;
  return {
    update(done: number, detail: string) {
      if (!stream) return;
      const filled = Math.round((done / Math.max(1, total)) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}  `);
      drawn = true;
    },
    end() {
      if (stream && drawn) stream.write('\n');
    },
  };
}
