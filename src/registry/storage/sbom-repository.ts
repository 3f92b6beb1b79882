import type { Sbom, SbomFormat, SbomPackage } from '../domain/governance';
import type { Executor, Row } from './database';

const toSbom = (r: Row): Sbom => ({
  id: String(r.id),
  buildId: String(r.build_id),
  name: String(r.name),
  format: String(r.format) as SbomFormat,
  createdAt: String(r.created_at),
});

/** A package row with the SBOM that lists it. */
export interface StoredPackage extends SbomPackage {
  buildId: string;
  sbomId: string;
}

/** Rows per multi-row INSERT: far below both engines' bound-parameter limits. */
const BATCH = 200;

/** Storage of uploaded SBOMs and the packages read from them. */
export class SbomRepository {
  /** Inserts unless the build has an SBOM of that name; returns whether it did. */
  async insertIfAbsent(tx: Executor, s: Sbom, document: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO sboms (id, build_id, name, format, document, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (build_id, name) DO NOTHING RETURNING id`,
      [s.id, s.buildId, s.name, s.format, document, s.createdAt],
    );
    return rows.length > 0;
  }

  async insertPackages(tx: Executor, s: Sbom, packages: SbomPackage[]): Promise<void> {
    for (let start = 0; start < packages.length; start += BATCH) {
      const batch = packages.slice(start, start + BATCH);
      const params: (string | number)[] = [];
      const values = batch.map((p, i) => {
        params.push(s.id, s.buildId, start + i, p.name, p.version, p.purl);
        const n = i * 6;
        return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`;
      });
      await tx.query(
        `INSERT INTO sbom_packages (sbom_id, build_id, seq, name, version, purl) VALUES ${values.join(', ')}`,
        params,
      );
    }
  }

  async listOfBuild(ex: Executor, buildId: string): Promise<Sbom[]> {
    const rows = await ex.query(
      'SELECT id, build_id, name, format, created_at FROM sboms WHERE build_id = $1 ORDER BY name',
      [buildId],
    );
    return rows.map(toSbom);
  }

  async document(ex: Executor, buildId: string, name: string): Promise<string | null> {
    const rows = await ex.query('SELECT document FROM sboms WHERE build_id = $1 AND name = $2', [
      buildId,
      name,
    ]);
    return rows.length ? String(rows[0].document) : null;
  }

  /** Packages of the builds, filtered by name (exact or prefix) and version. */
  async packagesOf(
    ex: Executor,
    buildIds: readonly string[],
    filter: { name?: string; namePrefix?: string; version?: string },
  ): Promise<StoredPackage[]> {
    if (buildIds.length === 0) return [];
    const params: string[] = [...buildIds];
    const where = [`build_id IN (${buildIds.map((_, i) => `$${i + 1}`).join(', ')})`];
    const add = (sql: (at: string) => string, value: string) => {
      params.push(value);
      where.push(sql(`CAST($${params.length} AS TEXT)`));
    };
    if (filter.name) add((at) => `name = ${at}`, filter.name);
    if (filter.namePrefix) add((at) => `substr(name, 1, length(${at})) = ${at}`, filter.namePrefix);
    if (filter.version) add((at) => `version = ${at}`, filter.version);
    const rows = await ex.query(
      `SELECT sbom_id, build_id, name, version, purl FROM sbom_packages WHERE ${where.join(' AND ')}`,
      params,
    );
    return rows.map((r) => ({
      sbomId: String(r.sbom_id),
      buildId: String(r.build_id),
      name: String(r.name),
      version: String(r.version),
      purl: String(r.purl),
    }));
  }
}
