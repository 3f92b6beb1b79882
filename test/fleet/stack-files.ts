import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '..', '..');

/** The project name from Pulumi.yaml (the namespace of the fleet's keys). */
export function projectName(): string {
  const project = yaml.load(fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')) as {
    name: string;
  };
  return project.name;
}

/**
 * A stack's config from `Pulumi.<stack>.yaml`, as the engine passes it to the program:
 * full keys, scalars as strings, structured values as JSON text.
 */
export function stackFileConfig(stack: string): Record<string, string> {
  const file = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), 'utf8')) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

export const STACKS = ['dev', 'staging', 'prod'] as const;
