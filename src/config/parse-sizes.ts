import {
  applyOverrides,
  archOf,
  ARCHES,
  CLOUDS,
  instanceTypeLooksValid,
  offered,
  OSES,
  SIZES,
  type SizeOverrides,
  type SizeTable,
} from '../fleet/sizes';
import { Problems, readObject, rejectUnknownKeys, show } from './problems';

/**
 * Parses `ingot-fleet:sizes`, overrides of the size table, e.g.
 * `{ aws: { ubuntu: { x64: { large: [m7i.2xlarge, m6i.2xlarge] } } } }`, and returns the
 * table with them applied. Overrides may change instance types, never add an OS or
 * architecture the cloud does not offer; each type must run the row's architecture.
 */
export function parseSizes(p: Problems, key: string, value: unknown): SizeTable {
  if (value === undefined) return applyOverrides();
  const raw = readObject(p, key, value, '{ aws: { ubuntu: { x64: { large: [m7i.2xlarge] } } } }');
  if (!raw) return applyOverrides();
  const overrides: SizeOverrides = {};
  rejectUnknownKeys(p, key, raw, CLOUDS);
  for (const cloud of CLOUDS) {
    if (raw[cloud] === undefined) continue;
    const byOs = readObject(p, `${key}.${cloud}`, raw[cloud], '{ ubuntu: { x64: {…} } }');
    if (!byOs) continue;
    rejectUnknownKeys(p, `${key}.${cloud}`, byOs, OSES);
    for (const os of OSES) {
      if (byOs[os] === undefined) continue;
      const at = `${key}.${cloud}.${os}`;
      const byArch = readObject(p, at, byOs[os], '{ x64: { small: […] } }');
      if (!byArch) continue;
      rejectUnknownKeys(p, at, byArch, ARCHES);
      for (const arch of ARCHES) {
        if (byArch[arch] === undefined) continue;
        if (!offered(cloud, os, arch)) {
          p.add(`${at}.${arch}`, `${cloud} offers no ${os} runners on ${arch}; remove this entry.`);
          continue;
        }
        const bySize = readObject(p, `${at}.${arch}`, byArch[arch], '{ large: [m7i.2xlarge] }');
        if (!bySize) continue;
        rejectUnknownKeys(p, `${at}.${arch}`, bySize, SIZES);
        for (const size of SIZES) {
          if (bySize[size] === undefined) continue;
          const types = checkTypes(p, `${at}.${arch}.${size}`, bySize[size], cloud, os, arch);
          if (!types) continue;
          const row = (((overrides[cloud] ??= {})[os] ??= {})[arch] ??= {});
          row[size] = types;
        }
      }
    }
  }
  return applyOverrides(overrides);
}

/** EC2 Mac dedicated host types (mac1.metal, mac2.metal, mac2-m2pro.metal, mac-m4pro.metal…). */
const MAC_HOST_TYPE = /^mac(?:\d|-m\d)[a-z0-9-]*\.metal$/;

function checkTypes(
  p: Problems,
  key: string,
  value: unknown,
  cloud: 'aws' | 'gcp',
  os: string,
  arch: 'x64' | 'arm64',
): string[] | undefined {
  const single = cloud === 'gcp' || os === 'macos';
  if (!Array.isArray(value) || value.length === 0 || value.some((t) => typeof t !== 'string')) {
    p.add(
      key,
      `must be a list of instance types, e.g. [${cloud === 'aws' ? 'm7i.2xlarge' : 'n2-standard-8'}]; got ${show(value)}.`,
    );
    return undefined;
  }
  const before = p.count;
  if (single && value.length !== 1)
    p.add(
      key,
      `${cloud === 'gcp' ? 'a GCP pool uses one machine type' : 'a macOS host has one instance type'}; list exactly one.`,
    );
  for (const type of value as string[]) {
    if (os === 'macos' && !MAC_HOST_TYPE.test(type))
      p.add(
        key,
        `"${type}" is not offered as an EC2 Mac dedicated host type; macOS runs only on mac*.metal hosts, e.g. [mac2.metal] (Apple M1), [mac2-m2.metal], [mac2-m2pro.metal] or [mac-m4pro.metal].`,
      );
    else if (!instanceTypeLooksValid(cloud, type))
      p.add(
        key,
        `"${type}" is not ${cloud === 'aws' ? 'an EC2 instance type' : 'a GCE machine type'} name.`,
      );
    else if (archOf(cloud, type) !== arch)
      p.add(
        key,
        `"${type}" runs ${archOf(cloud, type)}, not ${arch}; move it to the ${archOf(cloud, type)} row.`,
      );
  }
  if (new Set(value).size !== value.length)
    p.add(key, 'lists an instance type twice; list each once.');
  return p.count === before ? (value as string[]) : undefined;
}
