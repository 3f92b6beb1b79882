/**
 * A static check of the Windows provisioning scripts that runs here (no PowerShell, no
 * PSScriptAnalyzer on this machine). It lexes PowerShell far enough to tell code from
 * strings and comments, then checks:
 *
 * - syntax: (), {} and [] balance in code (also inside "$( )" subexpressions); strings,
 *   here-strings and block comments are terminated;
 * - strict mode: `Set-StrictMode -Version …` and `$ErrorActionPreference = 'Stop'` come
 *   before the first other statement, so every error stops the build;
 * - secrets: no string literal assigned to a *password/secret/token/key* variable or
 *   passed to -Password/-Token/-Secret, no `ConvertTo-SecureString -AsPlainText` of a
 *   literal, no AWS access key ids, GitHub tokens or private key blocks anywhere;
 * - downloads: every `Invoke-WebRequest -OutFile X` (and Start-BitsTransfer
 *   -Destination X) is followed by `Get-FileHash` of the same X and a `throw`, i.e. the
 *   checksum is verified and a mismatch stops the build;
 * - hygiene (as PSScriptAnalyzer's PSAvoidUsingInvokeExpression and
 *   PSAvoidUsingCmdletAliases): no Invoke-Expression/iex, no aliases such as iwr, curl,
 *   wget, gci, %, ? at the start of a statement or after a pipe; every Start-Process
 *   uses -Wait and -PassThru so its exit code can be checked.
 *
 * It does not parse PowerShell's grammar: it cannot tell whether cmdlets or parameters
 * exist, types, scoping, or runtime behaviour; a `throw` anywhere satisfies the
 * download rule; secrets built at run time, or named otherwise, are not recognised.
 */
export interface Finding {
  line: number;
  rule: 'syntax' | 'strict-mode' | 'secret' | 'download' | 'hygiene';
  message: string;
}

interface Lexed {
  /** The text with strings and comments replaced by spaces (newlines kept). */
  code: string;
  /** The text with comments replaced by spaces (strings kept). */
  uncommented: string;
  findings: Finding[];
}

const PAIRS: Record<string, string> = { ')': '(', '}': '{', ']': '[' };

function lex(text: string): Lexed {
  const code = text.split('');
  const uncommented = text.split('');
  const findings: Finding[] = [];
  const stack: { char: string; line: number; sub: boolean }[] = [];
  let line = 1;
  let i = 0;
  const blank = (from: number, to: number, alsoUncommented: boolean) => {
    for (let k = from; k < to; k++) {
      if (text[k] === '\n') continue;
      code[k] = ' ';
      if (alsoUncommented) uncommented[k] = ' ';
    }
  };
  const countLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (text[k] === '\n') line++;
  };
  // Modes: code, or inside a double-quoted string (strings can hold "$( code )").
  const modes: ('code' | 'dq')[] = ['code'];
  let dqStart = 0;
  let dqLine = 0;
  while (i < text.length) {
    const c = text[i];
    const mode = modes[modes.length - 1];
    if (mode === 'dq') {
      if (c === '`') {
        blank(i, i + 2, false);
        countLines(i, i + 2);
        i += 2;
      } else if (c === '"' && text[i + 1] === '"') {
        blank(i, i + 2, false);
        i += 2;
      } else if (c === '"') {
        blank(i, i + 1, false);
        modes.pop();
        i++;
      } else if (c === '$' && text[i + 1] === '(') {
        stack.push({ char: '(', line, sub: true });
        modes.push('code');
        i += 2;
      } else {
        if (c === '\n') line++;
        else blank(i, i + 1, false);
        i++;
      }
      continue;
    }
    if (c === '<' && text[i + 1] === '#') {
      const end = text.indexOf('#>', i + 2);
      if (end < 0) {
        findings.push({ line, rule: 'syntax', message: 'block comment <# is never closed' });
        blank(i, text.length, true);
        break;
      }
      blank(i, end + 2, true);
      countLines(i, end + 2);
      i = end + 2;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop, true);
      i = stop;
    } else if (c === '@' && (text[i + 1] === "'" || text[i + 1] === '"') && text[i + 2] === '\n') {
      const terminator = new RegExp(`\\n${text[i + 1]}@`, 'g');
      terminator.lastIndex = i + 2;
      const match = terminator.exec(text);
      if (!match) {
        findings.push({
          line,
          rule: 'syntax',
          message: `here-string @${text[i + 1]} is never closed`,
        });
        blank(i, text.length, false);
        break;
      }
      const end = match.index + match[0].length;
      blank(i, end, false);
      countLines(i, end);
      i = end;
    } else if (c === "'") {
      let k = i + 1;
      for (; k < text.length; k++) {
        if (text[k] === "'" && text[k + 1] === "'") k++;
        else if (text[k] === "'") break;
      }
      if (k >= text.length) {
        findings.push({ line, rule: 'syntax', message: 'single-quoted string is never closed' });
        blank(i, text.length, false);
        break;
      }
      blank(i, k + 1, false);
      countLines(i, k + 1);
      i = k + 1;
    } else if (c === '"') {
      dqStart = i;
      dqLine = line;
      blank(i, i + 1, false);
      modes.push('dq');
      i++;
    } else if (c === '`') {
      countLines(i, i + 2);
      i += 2;
    } else if (c === '(' || c === '{' || c === '[') {
      stack.push({ char: c, line, sub: false });
      i++;
    } else if (c === ')' || c === '}' || c === ']') {
      const open = stack.pop();
      if (!open || open.char !== PAIRS[c]) {
        findings.push({
          line,
          rule: 'syntax',
          message: open
            ? `'${c}' closes '${open.char}' opened on line ${open.line}`
            : `'${c}' has nothing to close`,
        });
      } else if (open.sub && c === ')') {
        modes.pop();
      }
      i++;
    } else {
      if (c === '\n') line++;
      i++;
    }
  }
  if (modes[modes.length - 1] === 'dq' && dqStart >= 0)
    findings.push({
      line: dqLine,
      rule: 'syntax',
      message: 'double-quoted string is never closed',
    });
  for (const open of stack.filter((o) => !o.sub))
    findings.push({ line: open.line, rule: 'syntax', message: `'${open.char}' is never closed` });
  return { code: code.join(''), uncommented: uncommented.join(''), findings };
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

const SECRET_VARIABLE =
  /\$\w*(password|passwd|secret|token|apikey|api_key|accesskey)\w*\s*=\s*(['"])[^'"$\s]{4,}\2/gi;
const SECRET_PARAMETER = /-(Password|Token|Secret|ApiKey)\s+(['"])[^'"$]{4,}\2/gi;
const PLAIN_SECURE_STRING = /ConvertTo-SecureString\s+(['"])[^'"]*\1[^\n]*-AsPlainText/gi;
const KNOWN_SECRETS: [RegExp, string][] = [
  [/\bAKIA[0-9A-Z]{16}\b/g, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, 'a GitHub token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/g, 'a private key'],
];
const ALIASES = [
  'iwr',
  'irm',
  'iex',
  'curl',
  'wget',
  'gci',
  'ls',
  'dir',
  'cat',
  'gc',
  'sc',
  'select',
  'where',
  '%',
  '\\?',
];

/** Checks one script; an empty list means it passed. */
export function checkPowerShell(text: string): Finding[] {
  const { code, uncommented, findings } = lex(text.replace(/\r\n/g, '\n'));

  const statements = code
    .split('\n')
    .map((l, index) => ({
      text: l.trim(),
      line: index + 1,
      raw: uncommented.split('\n')[index].trim(),
    }))
    .filter((s) => s.text !== '');
  const strict = statements.findIndex((s) => /^Set-StrictMode\s+-Version\s+\S+/i.test(s.raw));
  const stop = statements.findIndex((s) =>
    /^\$ErrorActionPreference\s*=\s*['"]Stop['"]$/i.test(s.raw),
  );
  const firstOther = statements.findIndex(
    (s) => !/^(Set-StrictMode|\$ErrorActionPreference|\$ProgressPreference)\b/i.test(s.raw),
  );
  if (strict < 0 || (firstOther >= 0 && strict > firstOther))
    findings.push({
      line: 1,
      rule: 'strict-mode',
      message: 'Set-StrictMode -Version Latest must come first',
    });
  if (stop < 0 || (firstOther >= 0 && stop > firstOther))
    findings.push({
      line: 1,
      rule: 'strict-mode',
      message: "$ErrorActionPreference = 'Stop' must come first",
    });

  for (const pattern of [SECRET_VARIABLE, SECRET_PARAMETER, PLAIN_SECURE_STRING])
    for (const match of uncommented.matchAll(pattern))
      findings.push({
        line: lineOf(uncommented, match.index ?? 0),
        rule: 'secret',
        message: `a secret in plain text: ${match[0].slice(0, 40)}…`,
      });
  for (const [pattern, what] of KNOWN_SECRETS)
    for (const match of text.matchAll(pattern))
      findings.push({
        line: lineOf(text, match.index ?? 0),
        rule: 'secret',
        message: `${what} in the script`,
      });

  const downloads = [
    ...uncommented.matchAll(/Invoke-WebRequest\b[^\n]*?-OutFile\s+(\$[\w:]+|'[^']+'|"[^"]+")/gi),
    ...uncommented.matchAll(
      /Start-BitsTransfer\b[^\n]*?-Destination\s+(\$[\w:]+|'[^']+'|"[^"]+")/gi,
    ),
  ];
  for (const match of downloads) {
    const target = match[1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const rest = uncommented.slice(match.index ?? 0);
    const hashed = new RegExp(
      `Get-FileHash\\b[^\\n]*-(Literal)?Path\\s+${target}(\\s|\\))`,
      'i',
    ).test(rest);
    if (!hashed || !/\bthrow\b/i.test(rest))
      findings.push({
        line: lineOf(uncommented, match.index ?? 0),
        rule: 'download',
        message: `the download to ${match[1]} is not verified (Get-FileHash of it, and throw on a mismatch)`,
      });
  }

  for (const match of code.matchAll(/\b(Invoke-Expression|iex)\b/gi))
    findings.push({
      line: lineOf(code, match.index ?? 0),
      rule: 'hygiene',
      message: `${match[1]}: never evaluate strings as code`,
    });
  const alias = new RegExp(`(^|[|;{]|\\n)\\s*(${ALIASES.join('|')})(?=\\s|$)`, 'gim');
  for (const match of code.matchAll(alias))
    findings.push({
      line: lineOf(code, (match.index ?? 0) + match[0].length - 1),
      rule: 'hygiene',
      message: `alias "${match[2]}": use the full cmdlet name`,
    });
  for (const match of uncommented.matchAll(/Start-Process\b[^\n]*/gi))
    if (!/-Wait\b/i.test(match[0]) || !/-PassThru\b/i.test(match[0]))
      findings.push({
        line: lineOf(uncommented, match.index ?? 0),
        rule: 'hygiene',
        message: 'Start-Process without -Wait -PassThru: its exit code is never checked',
      });
  return findings.sort((a, b) => a.line - b.line);
}
