import type { Command } from 'commander';

// How commands print: aligned text for people by default, JSON (`--json`) for scripts. Results go to stdout;
// errors go to stderr from the entry point, so piping `--json` output never mixes in a message.

/** An error the operator can act on: printed as one line, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
}

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Label/value pairs, labels aligned; a missing value shows as "-". */
export function formatFields(fields: readonly (readonly [string, string | undefined])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value ?? '-'}`).join('\n');
}

export function formatTime(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** The `--help` epilogue: examples as an operator types them. */
export function examples(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  npm run ops -- ${l}`).join('\n')}`;
}

export function wantsJson(cmd: Command): boolean {
  return cmd.optsWithGlobals<{ json?: boolean }>().json === true;
}

/** Prints `data` as JSON with `--json`, otherwise as the text `render` makes of it. */
export function emit<T>(cmd: Command, data: T, render: (data: T) => string): void {
  const text = wantsJson(cmd) ? JSON.stringify(data, null, 2) : render(data);
  process.stdout.write(`${text}\n`);
}
