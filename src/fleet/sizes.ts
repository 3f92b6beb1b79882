/**
 * Runner sizes: one table per cloud, OS and architecture mapping `small` … `xlarge` to
 * instance types. AWS sizes list several types of the same shape so a spot pool can
 * draw on several capacity pools; the first type is the preferred one. GCP sizes name
 * one machine type. A stack may override any entry (`ingot-fleet:sizes`).
 */

export const CLOUDS = ['aws', 'gcp'] as const;
export const OSES = ['ubuntu', 'windows', 'macos'] as const;
export const ARCHES = ['x64', 'arm64'] as const;
export const SIZES = ['small', 'medium', 'large', 'xlarge'] as const;

export type Cloud = (typeof CLOUDS)[number];
export type Os = (typeof OSES)[number];
export type Arch = (typeof ARCHES)[number];
export type Size = (typeof SIZES)[number];

/** Instance types for each size. */
export type SizeRow = Record<Size, readonly string[]>;
/** cloud → os → arch → size → instance types; a missing arch means "not offered". */
export type SizeTable = Record<Cloud, Partial<Record<Os, Partial<Record<Arch, SizeRow>>>>>;
/** Overrides from the stack config: any subset of the table. */
export type SizeOverrides = Partial<
  Record<Cloud, Partial<Record<Os, Partial<Record<Arch, Partial<SizeRow>>>>>>
>;

const AWS_X64: SizeRow = {
  small: ['m7i.large', 'm7a.large', 'm6i.large', 'm6a.large'],
  medium: ['m7i.xlarge', 'm7a.xlarge', 'm6i.xlarge', 'm6a.xlarge'],
  large: ['m7i.2xlarge', 'm7a.2xlarge', 'm6i.2xlarge', 'm6a.2xlarge'],
  xlarge: ['m7i.4xlarge', 'm7a.4xlarge', 'm6i.4xlarge', 'm6a.4xlarge'],
};

const AWS_ARM64: SizeRow = {
  small: ['m7g.large', 'm6g.large', 'm8g.large'],
  medium: ['m7g.xlarge', 'm6g.xlarge', 'm8g.xlarge'],
  large: ['m7g.2xlarge', 'm6g.2xlarge', 'm8g.2xlarge'],
  xlarge: ['m7g.4xlarge', 'm6g.4xlarge', 'm8g.4xlarge'],
};

/** Apple silicon Mac minis / Mac Studio on dedicated hosts: one instance per host. */
const AWS_MACOS: SizeRow = {
  small: ['mac2.metal'],
  medium: ['mac2-m2.metal'],
  large: ['mac2-m2pro.metal'],
  xlarge: ['mac-m4pro.metal'],
};

const GCP_X64: SizeRow = {
  small: ['e2-standard-2'],
  medium: ['n2-standard-4'],
  large: ['n2-standard-8'],
  xlarge: ['n2-standard-16'],
};

const GCP_ARM64: SizeRow = {
  small: ['t2a-standard-2'],
  medium: ['t2a-standard-4'],
  large: ['t2a-standard-8'],
  xlarge: ['t2a-standard-16'],
};

/**
 * What each cloud offers. Windows has no arm64 image on either cloud; macOS runs on
 * AWS only (EC2 Mac dedicated hosts) and on Apple silicon only.
 */
export const SIZE_TABLE: SizeTable = {
  aws: {
    ubuntu: { x64: AWS_X64, arm64: AWS_ARM64 },
    windows: { x64: AWS_X64 },
    macos: { arm64: AWS_MACOS },
  },
  gcp: {
    ubuntu: { x64: GCP_X64, arm64: GCP_ARM64 },
    windows: { x64: GCP_X64 },
  },
};

/** Root disk per OS and size, in GB (Windows and Xcode need more room than Linux). */
export const DISK_SIZE_GB: Record<Os, Record<Size, number>> = {
  ubuntu: { small: 64, medium: 100, large: 150, xlarge: 200 },
  windows: { small: 128, medium: 160, large: 200, xlarge: 256 },
  macos: { small: 200, medium: 250, large: 300, xlarge: 400 },
};

/** Whether the cloud offers this OS on this architecture. */
export function offered(cloud: Cloud, os: Os, arch: Arch, table: SizeTable = SIZE_TABLE): boolean {
  return table[cloud]?.[os]?.[arch] !== undefined;
}

/** The architectures a cloud offers for an OS, e.g. `["x64", "arm64"]`. */
export function archesOffered(cloud: Cloud, os: Os, table: SizeTable = SIZE_TABLE): Arch[] {
  return ARCHES.filter((arch) => offered(cloud, os, arch, table));
}

/** The default architecture of an OS on a cloud: x64 where offered, else the only one. */
export function defaultArch(cloud: Cloud, os: Os): Arch | undefined {
  const arches = archesOffered(cloud, os);
  return arches.includes('x64') ? 'x64' : arches[0];
}

/** The table with the stack's overrides applied (entries replace, they do not append). */
export function applyOverrides(
  overrides: SizeOverrides = {},
  base: SizeTable = SIZE_TABLE,
): SizeTable {
  const table = JSON.parse(JSON.stringify(base)) as SizeTable;
  for (const cloud of CLOUDS) {
    for (const os of OSES) {
      for (const arch of ARCHES) {
        const row = overrides[cloud]?.[os]?.[arch];
        const target = table[cloud][os]?.[arch];
        if (!row || !target) continue;
        for (const size of SIZES) if (row[size]) target[size] = [...(row[size] as string[])];
      }
    }
  }
  return table;
}

/**
 * The instance types of a size, preferred first. Throws, naming what is offered, when
 * the cloud has no such OS/architecture.
 */
export function instanceTypes(
  cloud: Cloud,
  os: Os,
  arch: Arch,
  size: Size,
  table: SizeTable = SIZE_TABLE,
): string[] {
  const row = table[cloud]?.[os]?.[arch];
  if (!row) {
    const arches = archesOffered(cloud, os, table);
    throw new Error(
      arches.length === 0
        ? `${cloud} offers no ${os} runners.`
        : `${cloud} offers ${os} runners on ${arches.join(', ')} only, not ${arch}.`,
    );
  }
  return [...row[size]];
}

/**
 * The vCPUs of an instance type by its name, for the table's sanity checks (`m7i.2xlarge`
 * → 8, `n2-standard-16` → 16); undefined for bare-metal types, which have no name rule.
 */
export function vcpusOf(instanceType: string): number | undefined {
  const gcp = /^[a-z0-9]+-(?:standard|highcpu|highmem)-(\d+)$/.exec(instanceType);
  if (gcp) return Number(gcp[1]);
  const aws = /^[a-z0-9-]+\.(large|xlarge|(\d+)xlarge)$/.exec(instanceType);
  if (!aws) return undefined;
  if (aws[1] === 'large') return 2;
  if (aws[1] === 'xlarge') return 4;
  return 4 * Number(aws[2]);
}

/** The CPU architecture an instance type runs, by its family name. */
export function archOf(cloud: Cloud, instanceType: string): Arch {
  if (cloud === 'gcp') return /^(t2a|c4a)-/.test(instanceType) ? 'arm64' : 'x64';
  if (instanceType.startsWith('mac')) return instanceType === 'mac1.metal' ? 'x64' : 'arm64';
  const family = instanceType.split('.')[0];
  // Graviton families carry a "g" after the generation: m7g, c6gn, r8g, t4g.
  return /^[a-z]+\d+g/.test(family) ? 'arm64' : 'x64';
}

/** An instance type name the cloud could accept (shape only; the cloud has the last word). */
export function instanceTypeLooksValid(cloud: Cloud, instanceType: string): boolean {
  return cloud === 'aws'
    ? /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType)
    : /^[a-z][a-z0-9]*-[a-z0-9-]+$/.test(instanceType);
}
