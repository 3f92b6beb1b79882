import fs from 'node:fs';
import path from 'node:path';
import type { TemplateVariable } from './content-hash';

/**
 * The shell text of the `packer init` / `packer build` step a GoldenImage hands to
 * `command.local.Command`, and what the program reads from a template directory to
 * build it. The text is self-contained (absolute paths, every variable as `-var`), so
 * tests and people can run exactly what the engine runs.
 */

/** Quotes a value for bash: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A variable's value as Packer's `-var` parses it: text as is, anything else as HCL/JSON. */
export function variableText(value: TemplateVariable): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What a GoldenImage needs to know about a template directory, read without an HCL parser. */
export interface TemplateDeclarations {
  /** `*.pkr.hcl` files, sorted. */
  files: string[];
  variables: Set<string>;
  /** Sources as `type.name`. */
  sources: Set<string>;
  /** Whether a `packer { required_plugins { … } }` block asks for `packer init`. */
  requiresPlugins: boolean;
}

/**
 * Declared variables and sources by their block headers (`variable "x" {`,
 * `source "amazon-ebs" "y" {`). The program cannot use an HCL parser at run time (the
 * one on npm is a development dependency); test/packer checks these against a real parse.
 */
export function readTemplate(dir: string): TemplateDeclarations {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pkr.hcl'))
    .sort();
  const text = files
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n')
    .replace(/^\s*(#|\/\/).*$/gm, '');
  const variables = new Set([...text.matchAll(/^\s*variable\s+"([^"]+)"\s*\{/gm)].map((m) => m[1]));
  const sources = new Set(
    [...text.matchAll(/^\s*source\s+"([^"]+)"\s+"([^"]+)"\s*\{/gm)].map((m) => `${m[1]}.${m[2]}`),
  );
  return { files, variables, sources, requiresPlugins: /\brequired_plugins\s*\{/.test(text) };
}

export interface PackerBuildCommandOptions {
  /** Absolute template directory. */
  templateDir: string;
  /** Absolute directory of this version's manifest, log and local artifacts. */
  outputDir: string;
  /** Sources to build (`-only`). */
  sources: string[];
  /** Every `-var`, in a stable order. */
  variables: Record<string, TemplateVariable>;
  /** Run `packer init` first (modern templates with required_plugins). */
  init: boolean;
  /** Absolute path of packer/tools/packer-log.sh. */
  logFilter: string;
  /** Packer executable. */
  packer: string;
  /** Let the template's hcp_packer_registry block publish natively (fingerprint pinned). */
  hcpPackerRegistry: boolean;
  /** The version fingerprint (for HCP Packer's own fingerprint when publishing natively). */
  fingerprint: string;
}

/** The line before the manifest in the build step's output (kept in the Pulumi state). */
export const MANIFEST_MARKER = '::ingot-manifest::';

/**
 * The manifest a build step printed after its marker: the build's record in the Pulumi
 * state, so publishing never depends on a local file surviving until the next run.
 */
export function manifestFromOutput(stdout: string): string | undefined {
  const at = stdout.lastIndexOf(`${MANIFEST_MARKER}\n`);
  if (at < 0) return undefined;
  const text = stdout.slice(at + MANIFEST_MARKER.length + 1).trim();
  return text || undefined;
}

/**
 * Bash lines giving Packer's HCP client (hcp-sdk-go config/env.go) the registry of
 * `INGOT_REGISTRY_URL` unless `HCP_API_ADDRESS` is set: the API address is a host:port with
 * no scheme (`HCP_API_TLS=disabled` for plain HTTP), and `HCP_AUTH_URL` is the base the SDK
 * appends "/oauth2/token" to (config/with.go `WithAuth`).
 */
export const HCP_FROM_INGOT_REGISTRY: readonly string[] = [
  'if [ -z "${HCP_API_ADDRESS:-}" ] && [ -n "${INGOT_REGISTRY_URL:-}" ]; then',
  '  ingot_registry="${INGOT_REGISTRY_URL%/}"',
  '  export HCP_API_ADDRESS="${ingot_registry#*://}" HCP_AUTH_URL="${HCP_AUTH_URL:-$ingot_registry}"',
  '  case "$ingot_registry" in',
  '    http://*) export HCP_API_TLS="${HCP_API_TLS:-disabled}" HCP_AUTH_TLS="${HCP_AUTH_TLS:-disabled}" ;;',
  '  esac',
  'fi',
];

/**
 * The build step as one bash script; it ends by printing the manifest after
 * {@link MANIFEST_MARKER}. `-force` (replace artifacts of the same name) is only given to
 * local builds: on a cloud it would deregister an AMI of the same name that the registry
 * may serve. Child templates read their parent with Packer's HCP Packer data sources,
 * which talk to the registry of `INGOT_REGISTRY_URL` unless `HCP_API_ADDRESS` is set.
 */
export function packerBuildCommand(o: PackerBuildCommandOptions): string {
  const q = shellQuote;
  const packer = q(o.packer);
  const local = o.sources.every((s) => s.startsWith('file.'));
  const manifest = path.join(o.outputDir, 'packer-manifest.json');
  const vars = Object.keys(o.variables)
    .sort()
    .map((name) => `  -var ${q(`${name}=${variableText(o.variables[name])}`)} \\`);
  const lines = [
    'set -euo pipefail',
    `export CHECKPOINT_DISABLE=1 HCP_PACKER_REGISTRY=${o.hcpPackerRegistry ? 'on' : 'off'}`,
    ...(o.hcpPackerRegistry ? [`export HCP_PACKER_BUILD_FINGERPRINT=${q(o.fingerprint)}`] : []),
    ...HCP_FROM_INGOT_REGISTRY,
    `mkdir -p ${q(o.outputDir)}`,
    `cd ${q(o.templateDir)}`,
    ...(o.init ? [`${packer} init .`] : []),
    `${packer} build -machine-readable -color=false${local ? ' -force' : ''} \\`,
    `  -only=${q([...o.sources].sort().join(','))} \\`,
    ...vars,
    `  . | bash ${q(o.logFilter)} ${q(path.join(o.outputDir, 'packer-build.log'))}`,
    `echo ${q(MANIFEST_MARKER)}`,
    `cat ${q(manifest)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The `update` step: inputs that do not change the image (credentials, paths) changed.
 * It prints the manifest of the build it stands for again (from the previous output,
 * `PULUMI_COMMAND_STDOUT`), so a rerun on a fresh machine can still publish it.
 */
export function unchangedCommand(bucket: string, hash: string): string {
  return [
    `echo ${shellQuote(`ingot: ${bucket} is unchanged (content hash ${hash.slice(0, 24)}); nothing to rebuild.`)}`,
    `printf '%s\\n' "\${PULUMI_COMMAND_STDOUT:-}" | sed -n ${shellQuote(`/^${MANIFEST_MARKER}$/,$p`)}`,
    '',
  ].join('\n');
}
