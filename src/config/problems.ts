/**
 * Collecting configuration problems: every reader records what is wrong with a key
 * and how to fix it, and returns `undefined` instead of throwing, so one run reports
 * every problem at once.
 */
export class Problems {
  readonly list: string[] = [];

  add(key: string, message: string): void {
    this.list.push(`${key}: ${message}`);
  }

  get count(): number {
    return this.list.length;
  }
}

/** All of a stack configuration's problems, each naming its key and the fix. */
export class FleetConfigError extends Error {
  constructor(
    readonly problems: string[],
    where: string,
  ) {
    super(
      `the stack configuration of ${where} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'FleetConfigError';
  }
}

/** A value as it appears in a message: short and quoted. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readObject(
  p: Problems,
  key: string,
  value: unknown,
  example: string,
): Record<string, unknown> | undefined {
  if (isObject(value)) return value;
  p.add(key, `must be a map, e.g. ${example}; got ${show(value)}.`);
  return undefined;
}

export interface StringRule {
  /** What a valid value looks like, for the message. */
  hint: string;
  pattern?: RegExp;
}

export function readString(
  p: Problems,
  key: string,
  value: unknown,
  rule: StringRule,
): string | undefined {
  if (value === undefined || value === null || value === '') {
    p.add(key, `is required: ${rule.hint}.`);
    return undefined;
  }
  if (typeof value !== 'string' || (rule.pattern && !rule.pattern.test(value))) {
    p.add(key, `${show(value)} is not valid: ${rule.hint}.`);
    return undefined;
  }
  return value;
}

export function readOptionalString(
  p: Problems,
  key: string,
  value: unknown,
  rule: StringRule,
): string | undefined {
  return value === undefined ? undefined : readString(p, key, value, rule);
}

export function readEnum<T extends string>(
  p: Problems,
  key: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  p.add(
    key,
    value === undefined
      ? `is required: one of ${allowed.join(', ')}.`
      : `${show(value)} is not one of ${allowed.join(', ')}.`,
  );
  return undefined;
}

export function readInteger(
  p: Problems,
  key: string,
  value: unknown,
  range: { min: number; max: number },
): number | undefined {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= range.min &&
    value <= range.max
  )
    return value;
  p.add(
    key,
    value === undefined
      ? `is required: a whole number from ${range.min} to ${range.max}.`
      : `${show(value)} is not a whole number from ${range.min} to ${range.max}.`,
  );
  return undefined;
}

export function readBoolean(p: Problems, key: string, value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  p.add(key, `${show(value)} is not true or false.`);
  return undefined;
}

/** A list of strings, each checked by `rule`, without duplicates. */
export function readStringList(
  p: Problems,
  key: string,
  value: unknown,
  rule: StringRule & { nonEmpty?: boolean },
): string[] | undefined {
  if (!Array.isArray(value)) {
    p.add(key, `must be a list, e.g. [${rule.hint}]; got ${show(value)}.`);
    return undefined;
  }
  if (rule.nonEmpty && value.length === 0) {
    p.add(key, `must name at least one entry (${rule.hint}).`);
    return undefined;
  }
  const before = p.count;
  const items = value.map((item, i) => readString(p, `${key}[${i}]`, item, rule));
  const seen = new Set<string>();
  value.forEach((item, i) => {
    if (typeof item !== 'string') return;
    if (seen.has(item)) p.add(`${key}[${i}]`, `${show(item)} is listed twice; list it once.`);
    seen.add(item);
  });
  return p.count === before ? (items as string[]) : undefined;
}

/** Reports keys of a map that are not among `known`, suggesting the closest known key. */
export function rejectUnknownKeys(
  p: Problems,
  key: string,
  value: Record<string, unknown>,
  known: readonly string[],
  join: (parent: string, child: string) => string = (parent, child) => `${parent}.${child}`,
): void {
  for (const name of Object.keys(value)) {
    if (known.includes(name)) continue;
    const guess = closest(name, known);
    p.add(
      join(key, name),
      `is not a known setting${guess ? `; did you mean "${guess}"?` : '.'} Known: ${known.join(', ')}.`,
    );
  }
}

/** The known word within edit distance 2 of `word` (or that it abbreviates), if any. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const candidate of known) {
    const [a, b] = [word.toLowerCase(), candidate.toLowerCase()];
    const distance = a.length >= 3 && b.startsWith(a) ? 1 : editDistance(a, b);
    if (distance <= 2 && (!best || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
