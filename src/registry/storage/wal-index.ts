import fs from 'node:fs';

/** One copy of the WAL-index header, at the very start of the -shm file. */
const HEADER_BYTES = 48;

/**
 * Tells whether any connection, in any process, committed to a SQLite database in WAL
 * mode, by reading the WAL-index header at the start of its `-shm` file
 * (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). SQLite rewrites that
 * header on every commit (its `iChange` field is "incremented with each transaction"),
 * so one 48-byte pread answers what `PRAGMA data_version` answers by starting a read
 * transaction (two fcntl locks and an fstat): about half the cost, paid on every request
 * of the hot read. A checkpoint that restarts the WAL rewrites the header too: that
 * counts as a change although no data changed, which only costs a cache refill.
 */
export class WalIndexWatch {
  private readonly seen = Buffer.alloc(HEADER_BYTES);
  private readonly now = Buffer.alloc(HEADER_BYTES);
  private changes = 0;

  private constructor(private fd: number) {
    fs.readSync(fd, this.seen, 0, HEADER_BYTES, 0);
  }

  /**
   * Watches the WAL index of `databaseFile`, or answers null when it has none (an
   * in-memory database, or one not in WAL mode): the caller then asks SQLite itself.
   */
  static open(databaseFile: string): WalIndexWatch | null {
    let fd: number;
    try {
      fd = fs.openSync(`${databaseFile}-shm`, 'r');
    } catch {
      return null;
    }
    if (fs.fstatSync(fd).size < HEADER_BYTES) {
      fs.closeSync(fd);
      return null;
    }
    return new WalIndexWatch(fd);
  }

  /** A number that changes whenever the header changed since the previous call. */
  version(): number {
    fs.readSync(this.fd, this.now, 0, HEADER_BYTES, 0);
    if (!this.now.equals(this.seen)) {
      this.now.copy(this.seen);
      this.changes++;
    }
    return this.changes;
  }

  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
  }
}
