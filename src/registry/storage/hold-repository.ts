import type { ChannelHold } from '../service/hold-service';
import type { Executor } from './database';

/**
 * Storage of channel holds (migration 6, both engines): one row per held channel, deleted
 * with it. Expiry is judged by the caller against the registry's clock, not here.
 */
type HoldRow = {
  channel_id: string;
  reason: string;
  held_by: string;
  author_id: string;
  created_at: string;
  expires_at: string | null;
};

function toHold(row: HoldRow): ChannelHold {
  return {
    channelId: row.channel_id,
    reason: row.reason,
    heldBy: row.held_by,
    authorId: row.author_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export async function findHold(ex: Executor, channelId: string): Promise<ChannelHold | null> {
  const rows = await ex.query<HoldRow>('SELECT * FROM channel_holds WHERE channel_id = $1', [
    channelId,
  ]);
  return rows.length > 0 ? toHold(rows[0]) : null;
}

/** Holds of a bucket's channels, by channel name. */
export async function holdsOfBucket(
  ex: Executor,
  bucketId: string,
): Promise<{ channel: string; hold: ChannelHold }[]> {
  const rows = await ex.query<HoldRow & { channel_name: string }>(
    `SELECT h.*, c.name AS channel_name FROM channel_holds h
       JOIN channels c ON c.id = h.channel_id WHERE c.bucket_id = $1 ORDER BY c.name`,
    [bucketId],
  );
  return rows.map((row) => ({ channel: row.channel_name, hold: toHold(row) }));
}

/** Puts (or replaces) the hold of a channel. */
export async function putHold(tx: Executor, hold: ChannelHold): Promise<void> {
  await tx.query('DELETE FROM channel_holds WHERE channel_id = $1', [hold.channelId]);
  await tx.query(
    `INSERT INTO channel_holds (channel_id, reason, held_by, author_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [hold.channelId, hold.reason, hold.heldBy, hold.authorId, hold.createdAt, hold.expiresAt],
  );
}

/** Removes a channel's hold; whether there was one. */
export async function deleteHold(tx: Executor, channelId: string): Promise<boolean> {
  const before = await findHold(tx, channelId);
  await tx.query('DELETE FROM channel_holds WHERE channel_id = $1', [channelId]);
  return before !== null;
}
