import type { Database } from './database';

/**
 * Numbered migrations, shared by both engines: only types both understand (TEXT,
 * INTEGER, BIGINT), booleans as 0/1, times as ISO-8601 UTC text (which sorts
 * chronologically), labels and metadata as JSON text. Append, never edit.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'registry model',
    statements: [
      `CREATE TABLE buckets (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        labels TEXT NOT NULL DEFAULT '{}',
        version_seq INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (organization_id, project_id, name)
      )`,
      `CREATE TABLE versions (
        id TEXT PRIMARY KEY,
        bucket_id TEXT NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        name_seq INTEGER,
        template_type TEXT NOT NULL DEFAULT 'TEMPLATE_TYPE_UNSET',
        author_id TEXT NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revoke_at TEXT,
        revocation_message TEXT,
        revocation_author TEXT,
        revocation_type TEXT,
        revocation_inherited_from TEXT,
        revocation_rollback INTEGER NOT NULL DEFAULT 1,
        UNIQUE (bucket_id, fingerprint),
        UNIQUE (bucket_id, name_seq)
      )`,
      `CREATE INDEX versions_by_bucket_created ON versions (bucket_id, created_at, id)`,
      `CREATE TABLE builds (
        id TEXT PRIMARY KEY,
        version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
        platform TEXT NOT NULL,
        component_type TEXT NOT NULL,
        packer_run_uuid TEXT NOT NULL DEFAULT '',
        source_external_identifier TEXT NOT NULL DEFAULT '',
        parent_version_id TEXT,
        parent_channel_id TEXT,
        status TEXT NOT NULL,
        labels TEXT NOT NULL DEFAULT '{}',
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE INDEX builds_by_version ON builds (version_id, created_at)`,
      `CREATE INDEX builds_by_parent_version ON builds (parent_version_id)`,
      `CREATE TABLE artifacts (
        id TEXT PRIMARY KEY,
        build_id TEXT NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        external_identifier TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE INDEX artifacts_by_build ON artifacts (build_id)`,
      `CREATE INDEX artifacts_by_external_identifier ON artifacts (external_identifier)`,
      `CREATE TABLE channels (
        id TEXT PRIMARY KEY,
        bucket_id TEXT NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        restricted INTEGER NOT NULL DEFAULT 0,
        managed INTEGER NOT NULL DEFAULT 0,
        version_id TEXT REFERENCES versions(id) ON DELETE SET NULL,
        author_id TEXT NOT NULL,
        history_seq INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (bucket_id, name)
      )`,
      `CREATE INDEX channels_by_version ON channels (version_id)`,
      `CREATE TABLE channel_history (
        channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        version_id TEXT,
        author_id TEXT NOT NULL,
        assigned_at TEXT NOT NULL,
        PRIMARY KEY (channel_id, seq)
      )`,
      `CREATE TABLE consumers (
        id TEXT PRIMARY KEY,
        version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
        pulumi_project TEXT NOT NULL,
        stack TEXT NOT NULL,
        urn TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT '',
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        UNIQUE (version_id, pulumi_project, stack, urn)
      )`,
      `CREATE TABLE audit_events (
        id TEXT PRIMARY KEY,
        occurred_at TEXT NOT NULL,
        principal_id TEXT NOT NULL,
        organization_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
      )`,
      `CREATE INDEX audit_events_by_scope ON audit_events (organization_id, project_id, id)`,
      `CREATE TABLE principals (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE TABLE principal_roles (
        principal_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
        organization_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (principal_id, organization_id, project_id)
      )`,
      `CREATE TABLE access_tokens (
        token_hash TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      )`,
      `CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at)`,
    ],
  },
  {
    version: 2,
    name: 'revocations remember whether descendants inherit them',
    // Needed so a version built later from a parent with a scheduled revocation
    // inherits it exactly when the revoker did not skip descendants.
    statements: [
      'ALTER TABLE versions ADD COLUMN revocation_descendants INTEGER NOT NULL DEFAULT 1',
    ],
  },
  {
    version: 3,
    name: 'registries, enforced blocks and SBOMs',
    // HCP's project-level registry record, its governance blocks (versioned, linked to
    // buckets) and the SBOMs Packer's hcp-sbom provisioner uploads, with the packages
    // read from them so package listings are queries, not document scans.
    statements: [
      `CREATE TABLE registries (
        organization_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        feature_tier TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (organization_id, project_id)
      )`,
      `CREATE TABLE enforced_blocks (
        id TEXT PRIMARY KEY,
        organization_id TEXT NOT NULL,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        labels TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (organization_id, project_id, name)
      )`,
      `CREATE TABLE enforced_block_versions (
        id TEXT PRIMARY KEY,
        block_id TEXT NOT NULL REFERENCES enforced_blocks(id) ON DELETE CASCADE,
        version TEXT NOT NULL,
        block_content TEXT NOT NULL,
        additional_description TEXT NOT NULL DEFAULT '',
        template_type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (block_id, version)
      )`,
      `CREATE TABLE enforced_block_buckets (
        id TEXT PRIMARY KEY,
        block_id TEXT NOT NULL REFERENCES enforced_blocks(id) ON DELETE CASCADE,
        block_version_id TEXT NOT NULL REFERENCES enforced_block_versions(id) ON DELETE CASCADE,
        bucket_id TEXT NOT NULL REFERENCES buckets(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        UNIQUE (block_id, bucket_id)
      )`,
      `CREATE INDEX enforced_block_buckets_by_bucket ON enforced_block_buckets (bucket_id)`,
      `CREATE INDEX enforced_block_buckets_by_version ON enforced_block_buckets (block_version_id)`,
      `CREATE TABLE sboms (
        id TEXT PRIMARY KEY,
        build_id TEXT NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        document TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (build_id, name)
      )`,
      `CREATE TABLE sbom_packages (
        sbom_id TEXT NOT NULL REFERENCES sboms(id) ON DELETE CASCADE,
        build_id TEXT NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        purl TEXT NOT NULL,
        PRIMARY KEY (sbom_id, seq)
      )`,
      `CREATE INDEX sbom_packages_by_build ON sbom_packages (build_id, name, version)`,
    ],
  },
  {
    version: 4,
    name: 'channel holds',
    // An Ingot extension: a held channel refuses every assignment (promotions included)
    // until released or expired; one hold per channel, gone with the channel.
    statements: [
      `CREATE TABLE channel_holds (
        channel_id TEXT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        held_by TEXT NOT NULL,
        author_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT
      )`,
    ],
  },
];

/** Applies every migration the database has not seen, each in its own transaction. */
export async function migrate(db: Database): Promise<number[]> {
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    // Registry processes starting together on one PostgreSQL database take turns.
    if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7304151)');
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  });
  for (const migration of MIGRATIONS) {
    await db.transaction(async (tx) => {
      if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7304151)');
      const seen = await tx.query('SELECT version FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (seen.length > 0) return;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [migration.version, migration.name, new Date().toISOString()],
      );
      applied.push(migration.version);
    });
  }
  return applied;
}
