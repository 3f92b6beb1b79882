import type { Assignment, Channel } from '../domain/model';
import type { Executor } from './database';
import type { Page } from './listing';
import { placeholders, toAssignment, toChannel } from './rows';

/**
 * Storage of channels and their assignment history. Every method takes the executor it runs
 * on, so the service decides which calls share a transaction; `lock*` methods must be given a
 * transaction.
 */
export class ChannelRepository {
  async insertChannel(tx: Executor, c: Channel): Promise<void> {
    await tx.query(
      `INSERT INTO channels (id, bucket_id, name, restricted, managed, version_id, author_id, history_seq, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        c.id,
        c.bucketId,
        c.name,
        c.restricted,
        c.managed,
        c.versionId,
        c.authorId,
        c.historySeq,
        c.createdAt,
        c.updatedAt,
      ],
    );
  }

  async findChannel(ex: Executor, bucketId: string, name: string): Promise<Channel | null> {
    const rows = await ex.query('SELECT * FROM channels WHERE bucket_id = $1 AND name = $2', [
      bucketId,
      name,
    ]);
    return rows.length ? toChannel(rows[0]) : null;
  }

  /** The channel called `name` in each of the buckets, by bucket id (absent: none). */
  async findChannelOfBuckets(
    ex: Executor,
    bucketIds: readonly string[],
    name: string,
  ): Promise<Map<string, Channel>> {
    if (bucketIds.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT * FROM channels WHERE name = $1 AND bucket_id IN ${placeholders(bucketIds.length, 2)}`,
      [name, ...bucketIds],
    );
    return new Map(rows.map((r) => [String(r.bucket_id), toChannel(r)]));
  }

  async findChannelsByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, Channel>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await ex.query(
      `SELECT * FROM channels WHERE id IN ${placeholders(unique.length)}`,
      unique,
    );
    return new Map(rows.map((r) => [String(r.id), toChannel(r)]));
  }

  async lockChannel(tx: Executor, id: string): Promise<Channel> {
    const rows = await tx.query('SELECT * FROM channels WHERE id = $1 FOR UPDATE', [id]);
    return toChannel(rows[0]);
  }

  async listChannels(ex: Executor, bucketId: string): Promise<Channel[]> {
    const rows = await ex.query('SELECT * FROM channels WHERE bucket_id = $1 ORDER BY name', [
      bucketId,
    ]);
    return rows.map(toChannel);
  }

  /** Non-managed channels currently pointing at one of `versionIds`. */
  async channelsPointingAt(ex: Executor, versionIds: readonly string[]): Promise<Channel[]> {
    if (versionIds.length === 0) return [];
    const rows = await ex.query(
      `SELECT * FROM channels WHERE managed = 0 AND version_id IN ${placeholders(versionIds.length)} ORDER BY id`,
      versionIds,
    );
    return rows.map(toChannel);
  }

  /** Non-managed channels whose version's rollback-enabled revocation is due by `nowIso`. */
  async channelsOnDueRevocations(ex: Executor, nowIso: string): Promise<Channel[]> {
    const rows = await ex.query(
      `SELECT c.* FROM channels c JOIN versions v ON v.id = c.version_id
       WHERE c.managed = 0 AND v.revoke_at IS NOT NULL AND v.revoke_at <= $1 AND v.revocation_rollback = 1`,
      [nowIso],
    );
    return rows.map(toChannel);
  }

  async updateChannel(tx: Executor, c: Channel): Promise<void> {
    await tx.query(
      `UPDATE channels SET restricted = $2, version_id = $3, author_id = $4, history_seq = $5, updated_at = $6
       WHERE id = $1`,
      [c.id, c.restricted, c.versionId, c.authorId, c.historySeq, c.updatedAt],
    );
  }

  async deleteChannel(tx: Executor, id: string): Promise<void> {
    await tx.query('DELETE FROM channel_history WHERE channel_id = $1', [id]);
    await tx.query('DELETE FROM channels WHERE id = $1', [id]);
  }

  async appendHistory(tx: Executor, a: Assignment): Promise<void> {
    await tx.query(
      'INSERT INTO channel_history (channel_id, seq, version_id, author_id, assigned_at) VALUES ($1, $2, $3, $4, $5)',
      [a.channelId, a.seq, a.versionId, a.authorId, a.assignedAt],
    );
  }

  /** Newest first. */
  async listHistory(ex: Executor, channelId: string, page: Page): Promise<Assignment[]> {
    const rows = await ex.query(
      'SELECT * FROM channel_history WHERE channel_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3',
      [channelId, page.limit, page.offset],
    );
    return rows.map(toAssignment);
  }

  /** `listHistory` of several channels at once (the same page of each), by channel id. */
  async listHistories(
    ex: Executor,
    channelIds: readonly string[],
    page: Page,
  ): Promise<Map<string, Assignment[]>> {
    const result = new Map<string, Assignment[]>(channelIds.map((id) => [id, []]));
    if (channelIds.length === 0) return result;
    const rows = await ex.query(
      `SELECT * FROM (
         SELECT h.*, ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY seq DESC) AS position
         FROM channel_history h WHERE channel_id IN ${placeholders(channelIds.length, 3)}) numbered
       WHERE position > $1 AND position <= $2 ORDER BY channel_id, seq DESC`,
      [page.offset, page.offset + page.limit, ...channelIds],
    );
    for (const row of rows) result.get(String(row.channel_id))?.push(toAssignment(row));
    return result;
  }

  async countHistory(ex: Executor, channelId: string): Promise<number> {
    const rows = await ex.query('SELECT COUNT(*) AS n FROM channel_history WHERE channel_id = $1', [
      channelId,
    ]);
    return Number(rows[0].n);
  }
}
