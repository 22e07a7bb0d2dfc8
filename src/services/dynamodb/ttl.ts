import type { ServiceEnv } from '../service.js';
import { pruneSystemBackups } from './backups.js';
import { logChange, pruneRecoveryLog } from './recovery.js';
import { recordChange } from './streams.js';
import { deleteItem, expiry, tableById, type Table } from './table.js';
import { decodeItem } from './values.js';

/**
 * Time to live: items whose TTL attribute (epoch seconds) is past, by the Nimbus clock, are
 * deleted by a background sweep and appear in the table's stream as deletions by the service.
 * Each item row carries its expiry, indexed, so a sweep reads only what is due. The same sweep
 * drops stream records past their 24 hours, recovery log entries past their 35 days and SYSTEM
 * backups past theirs.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
 */
const SWEEP_EVERY_MS = 30_000;
const SWEEP_BATCH = 500;

/** Recomputes every item's expiry after TTL is enabled or disabled on a table. */
export function refreshExpiries(env: ServiceEnv, t: Table): void {
  const rows = env.db.prepare('SELECT hash_key, range_key, item FROM dynamodb_items WHERE table_id = ?').all(t.id) as { hash_key: Buffer; range_key: Buffer; item: string }[];
  const update = env.db.prepare('UPDATE dynamodb_items SET expires_at = ? WHERE table_id = ? AND hash_key = ? AND range_key = ?');
  for (const r of rows) update.run(expiry(t, decodeItem(r.item)), t.id, r.hash_key, r.range_key);
}

/** Deletes what has expired by now; returns how many items went. */
function sweepExpired(env: ServiceEnv): number {
  const due = env.db.prepare('SELECT table_id, item FROM dynamodb_items WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?')
    .all(env.clock.now(), SWEEP_BATCH) as { table_id: string; item: string }[];
  const tables = new Map<string, Table | undefined>();
  env.db.transaction(() => {
    for (const row of due) {
      if (!tables.has(row.table_id)) tables.set(row.table_id, tableById(env, row.table_id));
      const t = tables.get(row.table_id);
      if (!t) continue;
      const item = decodeItem(row.item);
      deleteItem(env, t, item);
      recordChange({ ...env, region: t.region }, t, item, undefined, 'ttl');
      logChange(env, t, item, item);
    }
  })();
  return due.length;
}

/** Stream records live 24 hours. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html */
const STREAM_RETENTION_MS = 24 * 3600 * 1000;

/** Drops stream records past retention; sequence numbers grow with time, so the old ones are a prefix. */
function trimStreams(env: ServiceEnv): void {
  const first = env.db.prepare('SELECT seq FROM dynamodb_stream_records WHERE created_at >= ? ORDER BY seq LIMIT 1').pluck().get(env.clock.now() - STREAM_RETENTION_MS) as number | undefined;
  if (first === undefined) env.db.prepare('DELETE FROM dynamodb_stream_records WHERE created_at < ?').run(env.clock.now() - STREAM_RETENTION_MS);
  else env.db.prepare('DELETE FROM dynamodb_stream_records WHERE seq < ?').run(first);
}

/** Starts this instance's sweeper once; it re-arms itself on the clock, so advancing the clock runs it. */
export function startTtlSweeper(ctx: ServiceEnv): void {
  // The instance's environment, not the request that happened to start the sweeper.
  ctx.memory('dynamodb.ttlSweeper', (env) => {
    const tick = () => {
      if (!env.db.open) return;
      while (sweepExpired(env) === SWEEP_BATCH);
      trimStreams(env);
      pruneRecoveryLog(env);
      pruneSystemBackups(env);
      env.clock.after(SWEEP_EVERY_MS, tick);
    };
    env.clock.after(SWEEP_EVERY_MS, tick);
    return true;
  });
}
