import { Decompress } from 'fzstd';
import type { SbomFormat, SbomPackage } from '../domain/governance';
import { ValidationError } from '../errors';

/** Largest zstd-compressed SBOM accepted (the decoded `compressed_sbom` bytes). */
export const MAX_COMPRESSED_SBOM = 8 * 1024 * 1024;
/** Largest SBOM accepted once decompressed. */
export const MAX_SBOM = 32 * 1024 * 1024;
/** Input fed to the decompressor at a time, so output past MAX_SBOM is caught early. */
const CHUNK = 512;

export interface SbomDocument {
  format: SbomFormat;
  /** The JSON text as uploaded, decompressed. */
  text: string;
  packages: SbomPackage[];
}

const MiB = (n: number) => `${n / 1024 / 1024} MiB`;

/** Decompresses Packer's zstd frame, refusing anything that grows past MAX_SBOM. */
function decompress(compressed: Buffer): Buffer {
  const parts: Uint8Array[] = [];
  let size = 0;
  const stream = new Decompress((chunk) => {
    size += chunk.length;
    if (size > MAX_SBOM) {
      throw new ValidationError(
        'compressed_sbom',
        `compressed_sbom decompresses to more than ${MiB(MAX_SBOM)}, the largest SBOM this registry stores; trim the SBOM (e.g. one per image layer).`,
      );
    }
    parts.push(chunk);
  });
  try {
    for (let at = 0; at < compressed.length; at += CHUNK) {
      const end = Math.min(at + CHUNK, compressed.length);
      stream.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError(
      'compressed_sbom',
      `compressed_sbom is not a zstd frame (${(error as Error).message}); send the SBOM JSON compressed with zstd and base64-encoded, as Packer's hcp-sbom provisioner does.`,
    );
  }
  return Buffer.concat(parts);
}

interface CycloneDxComponent {
  name?: unknown;
  version?: unknown;
  purl?: unknown;
  components?: unknown;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** CycloneDX `components`, nested ones included. */
function cycloneDxPackages(components: unknown, into: SbomPackage[]): void {
  if (!Array.isArray(components)) return;
  for (const c of components as CycloneDxComponent[]) {
    if (c && typeof c === 'object' && text(c.name)) {
      into.push({ name: text(c.name), version: text(c.version), purl: text(c.purl) });
    }
    cycloneDxPackages(c?.components, into);
  }
}

interface SpdxPackage {
  name?: unknown;
  versionInfo?: unknown;
  externalRefs?: { referenceType?: unknown; referenceLocator?: unknown }[];
}

function spdxPackages(packages: unknown): SbomPackage[] {
  if (!Array.isArray(packages)) return [];
  return (packages as SpdxPackage[])
    .filter((p) => p && typeof p === 'object' && text(p.name))
    .map((p) => ({
      name: text(p.name),
      version: text(p.versionInfo),
      purl: text(
        (Array.isArray(p.externalRefs) ? p.externalRefs : []).find(
          (r) => r?.referenceType === 'purl',
        )?.referenceLocator,
      ),
    }));
}

/** The format the document is in, by the fields each specification requires. */
function detect(doc: Record<string, unknown>): SbomFormat | null {
  if (typeof doc.spdxVersion === 'string' && doc.spdxVersion) return 'SPDX';
  if (typeof doc.bomFormat === 'string' && doc.bomFormat.toLowerCase() === 'cyclonedx') {
    return 'CYCLONEDX';
  }
  return null;
}

/**
 * Reads an SBOM as Packer uploads it (packer/provisioner.go, SBOMInternalProvisioner:
 * the raw JSON compressed with zstd, sent base64-encoded in `compressed_sbom`), checks it
 * is the CycloneDX or SPDX JSON `format` says (hcp-sbom's validate.go requires
 * CycloneDX's bomFormat and specVersion, SPDX's spdxVersion) and lists its packages.
 */
export function readSbom(compressed: Buffer, declared: SbomFormat | undefined): SbomDocument {
  if (compressed.length === 0) {
    throw new ValidationError(
      'compressed_sbom',
      'compressed_sbom is required: the SBOM JSON, zstd-compressed and base64-encoded.',
    );
  }
  if (compressed.length > MAX_COMPRESSED_SBOM) {
    throw new ValidationError(
      'compressed_sbom',
      `compressed_sbom is ${compressed.length} bytes compressed; this registry takes SBOMs up to ${MiB(MAX_COMPRESSED_SBOM)} compressed and ${MiB(MAX_SBOM)} decompressed.`,
    );
  }
  const raw = decompress(compressed).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (error) {
    throw new ValidationError(
      'compressed_sbom',
      `the decompressed SBOM is not JSON (${(error as Error).message}); upload CycloneDX or SPDX in JSON format.`,
    );
  }
  const found = doc && typeof doc === 'object' ? detect(doc as Record<string, unknown>) : null;
  if (!found) {
    throw new ValidationError(
      'compressed_sbom',
      'the SBOM is neither CycloneDX JSON (bomFormat "CycloneDX" with specVersion) nor SPDX JSON (spdxVersion).',
    );
  }
  const record = doc as Record<string, unknown>;
  if (found === 'CYCLONEDX' && !text(record.specVersion)) {
    throw new ValidationError('compressed_sbom', 'the CycloneDX SBOM has no specVersion.');
  }
  if (declared && declared !== found) {
    throw new ValidationError(
      'format',
      `format is ${declared} but the SBOM is ${found}; send format ${found}.`,
    );
  }
  const packages: SbomPackage[] = [];
  if (found === 'CYCLONEDX') cycloneDxPackages(record.components, packages);
  else packages.push(...spdxPackages(record.packages));
  return { format: found, text: raw, packages };
}
