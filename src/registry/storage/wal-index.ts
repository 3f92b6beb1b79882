import fs from 'node:fs';
import { mapSharedFile, sharedMappingAddon } from './shared-mapping';

/** One copy of the WAL-index header, at the very start of the -shm file. */
const HEADER_BYTES = 48;

/**
 * How the header is read: through a shared mapping of the `-shm` file (no system call;
 * needs native/, built on install where a compiler is present) or with one pread.
 */
export type WalIndexRead = 'mapped' | 'pread';

/** The header's current bytes, by one of the two ways. */
interface HeaderSource {
  current(): Uint8Array;
  close(): void;
}

function mappedSource(view: Uint8Array): HeaderSource {
  // SQLite writes the header through its own mapping of the same file: the view is live.
  return { current: () => view, close: () => undefined };
}

function preadSource(fd: number): HeaderSource {
  const now = Buffer.alloc(HEADER_BYTES);
  return {
    current: () => {
      fs.readSync(fd, now, 0, HEADER_BYTES, 0);
      return now;
    },
    close: () => fs.closeSync(fd),
  };
}

function openPread(shm: string): HeaderSource | null {
  let fd: number;
  try {
    fd = fs.openSync(shm, 'r');
  } catch {
    return null;
  }
  if (fs.fstatSync(fd).size < HEADER_BYTES) {
    fs.closeSync(fd);
    return null;
  }
  return preadSource(fd);
}

/**
 * Tells whether any connection, in any process, committed to a SQLite database in WAL
 * mode, from the WAL-index header at the start of its `-shm` file
 * (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). SQLite rewrites that
 * header on every commit (its `iChange` field is "incremented with each transaction"),
 * so comparing 48 bytes answers what `PRAGMA data_version` answers by starting a read
 * transaction (two fcntl locks and an fstat), paid on every request of the hot read. A
 * checkpoint that restarts the WAL rewrites the header too: that counts as a change
 * although no data changed, which only costs a cache refill. A header caught mid-write
 * differs from the one seen before, so it too counts as a change, never as none.
 *
 * The mapped view stays valid while the caller's own SQLite connection is open: SQLite
 * truncates the `-shm` file only when the first connection of all opens it.
 */
export class WalIndexWatch {
  private readonly seen = Buffer.alloc(HEADER_BYTES);
  private changes = 0;
  private closed = false;

  private constructor(
    private readonly source: HeaderSource,
    /** How this watch reads the header. */
    readonly how: WalIndexRead,
  ) {
    this.seen.set(source.current());
  }

  /**
   * Watches the WAL index of `databaseFile`, or answers null when it has none (an
   * in-memory database, or one not in WAL mode): the caller then asks SQLite itself.
   * `how` defaults to the mapping where native/ is built and the file maps, else the
   * pread; asking for the mapping where it cannot be had is an error.
   */
  static open(databaseFile: string, how?: WalIndexRead): WalIndexWatch | null {
    const shm = `${databaseFile}-shm`;
    if (how === 'mapped' && !sharedMappingAddon())
      throw new Error(
        'the WAL index cannot be mapped: native/ is not built here; run `npm run build:native`.',
      );
    if (how === 'mapped' || (how === undefined && sharedMappingAddon())) {
      let view: Uint8Array | null;
      try {
        view = mapSharedFile(shm, HEADER_BYTES);
      } catch (error) {
        // A file system that cannot be mapped: the pread still answers, unless asked not to.
        if (how === 'mapped') throw error;
        return WalIndexWatch.open(databaseFile, 'pread');
      }
      return view && new WalIndexWatch(mappedSource(view), 'mapped');
    }
    const source = openPread(shm);
    return source && new WalIndexWatch(source, 'pread');
  }

  /** A number that changes whenever the header changed since the previous call. */
  version(): number {
    if (this.closed) throw new Error('the WAL-index watch is closed');
    const now = this.source.current();
    if (!this.seen.equals(now)) {
      this.seen.set(now);
      this.changes++;
    }
    return this.changes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.close();
  }
}
