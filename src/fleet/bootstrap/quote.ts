/** A bash word that stands for exactly `value` (single quotes; `'` written as `'\''`). */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A PowerShell verbatim string for exactly `value`. PowerShell also treats the
 * typographic single quotes (U+2018–U+201B) as quote characters: each is doubled too.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}
