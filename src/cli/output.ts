import type { Command } from 'commander';
import type { Version } from '../client/registry-client';
import { io } from './io';
import { isCompleteName } from '../client/version-name';

/** What every registry command accepts for its output. */
export interface OutputFlags {
  json?: boolean;
}

/** Adds `--json` to a command. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print JSON (the API objects) instead of a table');
}

/**
 * Prints a command's result: `json` as indented JSON with `--json` (for scripts and
 * `jq`), otherwise the human-readable text `human` renders.
 */
export function emit(flags: OutputFlags, json: unknown, human: () => string): void {
  io().stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

export type Row = (string | number | boolean | null | undefined)[];

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A stored field made safe for a terminal: control characters (C0, DEL, C1) are shown
 * as escapes, so a description can neither rewrite the terminal with an escape sequence
 * nor start a line of its own (`\n::error …` would be a GitHub workflow command).
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const named = NAMED_ESCAPES[c];
    return named ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

function cell(value: Row[number]): string {
  if (value === null || value === undefined || value === '') return '-';
  return printable(String(value));
}

/** A plain-text table: upper-case headers, columns padded to their widest cell. */
export function table(headers: string[], rows: Row[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => row.map(cell))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `Key:  value` lines, keys aligned; empty values are left out. */
export function details(entries: [string, Row[number]][]): string {
  const shown = entries.filter(
    ([, value]) => value !== undefined && value !== null && value !== '',
  );
  const keys = shown.map(([key]) => printable(key));
  const width = Math.max(...keys.map((key) => key.length)) + 1;
  return shown.map(([, value], i) => `${`${keys[i]}:`.padEnd(width)}  ${cell(value)}`).join('\n');
}

/** RFC 3339 time without milliseconds, for tables. */
export function time(value: string | undefined | null): string {
  if (!value) return '';
  return value.replace(/\.\d+Z$/, 'Z');
}

/** `VERSION_REVOCATION_SCHEDULED` → `revocation scheduled`. */
export function status(value: string | undefined): string {
  if (!value) return '';
  return value
    .replace(/^(VERSION|BUILD)_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

/** `k=v, k2=v2`. */
export function labels(value: Record<string, string> | undefined): string {
  return Object.entries(value ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** `v3 (01JD2X4K8Q)`, or the fingerprint alone while the version has no name. */
export function versionLabel(version: Pick<Version, 'name' | 'fingerprint'>): string {
  return isCompleteName(version.name)
    ? `${version.name} (${version.fingerprint})`
    : version.fingerprint;
}
