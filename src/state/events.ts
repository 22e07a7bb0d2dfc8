import type { SqlDatabase } from './database.js';

/**
 * The internal event bus (DESIGN.md §4). Services never import each other: one publishes
 * `"<service>:<event>"` and the bus hands it to that service's `events` table, loading the
 * service if need be. Events are written to the database before delivery and deleted only once
 * a handler returns, so delivery is at least once, across restarts too.
 */
export type EventHandler = (payload: unknown) => void | Promise<void>;
export type HandlerLookup = (service: string, event: string) => Promise<EventHandler | undefined>;

const RETRY_MS = [100, 1000, 5000, 30_000];

export class EventBus {
  private draining = false;
  private scheduled = false;
  private stopped = false;
  private readonly insert;
  private readonly due;
  private readonly remove;
  private readonly postpone;

  constructor(private readonly db: SqlDatabase, private readonly lookup: HandlerLookup, private readonly now: () => number) {
    db.exec(`CREATE TABLE IF NOT EXISTS nimbus_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, due_at BIGINT NOT NULL)`);
    this.insert = db.prepare('INSERT INTO nimbus_events (topic, payload, due_at) VALUES (?, ?, ?)');
    this.due = db.prepare('SELECT id, topic, payload, attempts FROM nimbus_events WHERE due_at <= ? ORDER BY id LIMIT 100');
    this.remove = db.prepare('DELETE FROM nimbus_events WHERE id = ?');
    this.postpone = db.prepare('UPDATE nimbus_events SET attempts = attempts + 1, due_at = ? WHERE id = ?');
    this.schedule();
  }

  publish(topic: `${string}:${string}`, payload: unknown): void {
    this.insert.run(topic, JSON.stringify(payload), this.now());
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Deliver everything due now; resolves when the queue has no due event left. */
  async drain(): Promise<void> {
    if (this.draining || this.stopped) return;
    this.draining = true;
    try {
      for (;;) {
        const rows = this.due.all(this.now()) as { id: number; topic: string; payload: string; attempts: number }[];
        if (rows.length === 0) break;
        for (const row of rows) await this.deliver(row);
      }
    } finally {
      this.draining = false;
    }
  }

  private async deliver(row: { id: number; topic: string; payload: string; attempts: number }): Promise<void> {
    const sep = row.topic.indexOf(':');
    try {
      const handler = await this.lookup(row.topic.slice(0, sep), row.topic.slice(sep + 1));
      if (handler) await handler(JSON.parse(row.payload));
      if (this.db.open) this.remove.run(row.id);
    } catch {
      if (!this.db.open) return;
      const wait = RETRY_MS[Math.min(row.attempts, RETRY_MS.length - 1)]!;
      this.postpone.run(this.now() + wait, row.id);
      setTimeout(() => this.schedule(), wait).unref();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }
}
