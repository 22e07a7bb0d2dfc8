import BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

/**
 * All that Nimbus knows lives in one SQLite database (DESIGN.md §2): a file in the data
 * directory with WAL journaling, or memory when ephemeral. Services bring their own schema as
 * named migrations, applied once, in order, the first time the service is loaded.
 * SQL here and in services sticks to what PostgreSQL also accepts where that costs nothing.
 */
export interface Migration {
  /** Unique and stable forever, e.g. `sts/001-credentials`. */
  id: string;
  sql: string;
}

export type SqlDatabase = BetterSqlite3.Database;

/**
 * better-sqlite3's compiled addon, named directly: left to itself the library finds it through
 * the `bindings` package, which stats a dozen candidate paths at start-up and cannot work from
 * inside the CLI's bundle (scripts/bundle.mjs).
 */
const nativeBinding = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');

/**
 * A check that tells whether another connection (another Nimbus on the same data directory) has
 * committed since it last ran: SQLite's data_version moves on other connections' commits, never on
 * this one's. Caches of what the database holds ask it before they answer.
 */
export function otherCommits(db: SqlDatabase): () => boolean {
  // An in-memory database (ephemeral mode) belongs to its one connection.
  if (db.memory) return () => false;
  const version = db.prepare('PRAGMA data_version').pluck();
  let seen = version.get();
  return () => {
    const now = version.get();
    if (now === seen) return false;
    seen = now;
    return true;
  };
}

export class Database {
  readonly sql: SqlDatabase;
  /** How many times `reset` has run: caches kept outside a service's memory compare it to notice. */
  resets = 0;

  constructor(file: string) {
    this.sql = new BetterSqlite3(file, { nativeBinding });
    if (file !== ':memory:') {
      this.sql.pragma('journal_mode = WAL');
      // NORMAL keeps every committed transaction across a kill -9 of the process (the WAL is in the
      // OS page cache); only power loss can take the last ones, which FULL would cost an fsync each.
      this.sql.pragma('synchronous = NORMAL');
    } else {
      // An in-memory database keeps every page in SQLite's page cache, and a commit after a B-tree
      // split that reordered pages scans that cache's whole hash table (the split moves a page
      // through the number of the 1 GiB lock page, pcache1TruncateUnsafe then sweeps every slot):
      // with 4 KiB pages, inserts into a 1M-item table cost 2-3x those into an empty one. 16 KiB
      // pages make that table a quarter the size and splits a quarter as frequent.
      this.sql.pragma('page_size = 16384');
    }
    this.sql.pragma('foreign_keys = ON');
    this.sql.exec(`CREATE TABLE IF NOT EXISTS nimbus_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL);
      CREATE TABLE IF NOT EXISTS nimbus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  }

  migrate(migrations: readonly Migration[]): void {
    const applied = this.sql.prepare('SELECT 1 FROM nimbus_migrations WHERE id = ?');
    const record = this.sql.prepare('INSERT INTO nimbus_migrations (id, applied_at) VALUES (?, ?)');
    for (const m of migrations) {
      if (applied.get(m.id)) continue;
      this.sql.transaction(() => {
        this.sql.exec(m.sql);
        record.run(m.id, Date.now());
      })();
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.sql.prepare('SELECT value FROM nimbus_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql.prepare('INSERT INTO nimbus_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Forget every resource of every service; schemas stay. */
  reset(): void {
    const tables = this.sql
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'nimbus_migrations'`)
      .all() as { name: string }[];
    this.sql.pragma('foreign_keys = OFF');
    this.sql.transaction(() => {
      for (const t of tables) this.sql.exec(`DELETE FROM "${t.name}"`);
    })();
    this.sql.pragma('foreign_keys = ON');
    this.resets++;
  }

  close(): void {
    if (this.sql.open) this.sql.close();
  }
}
