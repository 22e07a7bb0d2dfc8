import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ExportDescription, ExportTableToPointInTimeInput, IncrementalExportSpecification, Operations } from '../../generated/types/dynamodb.js';
import { parseArn } from '../../arn.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { restorableRange } from './recovery.js';
import { findTable, type Table } from './table.js';

/**
 * Exports of a table as it was at a point in time into an S3 bucket, in DynamoDB JSON (gzipped
 * `data/*.json.gz` files of one `{"Item":{...}}` per line) or Amazon Ion (`data/*.ion.gz`, the
 * same lines in Ion, see ion.ts), with `manifest-files.json` and
 * `manifest-summary.json`, under `<prefix>/AWSDynamoDB/<export id>/`. The objects go to S3 through
 * the event bus (`s3:put-object`), which reports each one back: the export is IN_PROGRESS until S3
 * has them all, and FAILED if S3 could not take one (no such bucket, another owner).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
 */
export const exportMigrations = [{
  id: 'dynamodb/007-exports',
  sql: `
    CREATE TABLE dynamodb_exports (
      arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, table_arn TEXT NOT NULL,
      description TEXT NOT NULL, pending INTEGER NOT NULL, failure TEXT, completed_at BIGINT, created_at BIGINT NOT NULL);
    CREATE INDEX dynamodb_exports_table ON dynamodb_exports (account_id, region, created_at);
  `,
}];

const invalid = (m: string) => new AwsError('ValidationException', m);

interface ExportRow { arn: string; description: string; pending: number; failure: string | null; completed_at: number | null }

/** One object for S3, and what the manifests say of it. */
interface ExportObject { key: string; body: Buffer; contentType: string }

function exportedTable(ctx: RequestContext, tableArn: string): Table {
  const a = parseArn(tableArn);
  if (!a || a.service !== 'dynamodb' || !a.resource.startsWith('table/')) throw invalid(`Invalid TableArn: ${tableArn}`);
  const name = a.resource.slice(6).split('/')[0]!;
  const t = a.account === ctx.accountId && a.region === ctx.region ? findTable(ctx, name) : undefined;
  if (!t) throw new AwsError('TableNotFoundException', `Table not found: ${name}`);
  return t;
}

type ExportViewType = NonNullable<IncrementalExportSpecification['ExportViewType']>;

const rowKey = (h: Buffer, r: Buffer) => `${h.toString('hex')}/${r.toString('hex')}`;

/**
 * The table's items at `at` (every change made at or before it), in stored JSON by their key: the
 * items now, with the changes made since undone from the point-in-time recovery log, newest first.
 */
function itemsAt(env: ServiceEnv, t: Table, at: number): Map<string, string> {
  const items = new Map<string, string>();
  for (const row of env.db.prepare('SELECT hash_key, range_key, item FROM dynamodb_items WHERE table_id = ? ORDER BY scan_order, hash_key, range_key').all(t.id) as { hash_key: Buffer; range_key: Buffer; item: string }[]) {
    items.set(rowKey(row.hash_key, row.range_key), row.item);
  }
  const undo = env.db.prepare('SELECT hash_key, range_key, item FROM dynamodb_recovery_log WHERE table_id = ? AND at > ? ORDER BY seq DESC').all(t.id, at) as { hash_key: Buffer; range_key: Buffer; item: string | null }[];
  for (const u of undo) {
    if (u.item === null) items.delete(rowKey(u.hash_key, u.range_key));
    else items.set(rowKey(u.hash_key, u.range_key), u.item);
  }
  return items;
}

/**
 * An incremental export's lines: one per item written in [from, to), compacted to its state
 * before the window and at its end; an item both created and deleted inside it is left out.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
 */
function changesBetween(env: ServiceEnv, t: Table, from: number, to: number, view: ExportViewType): string[] {
  const before = itemsAt(env, t, from - 1);
  const after = itemsAt(env, t, to - 1);
  const keys = t.description.KeySchema!.map((k) => k.AttributeName!);
  const written = env.db.prepare('SELECT hash_key, range_key, MAX(at) AS at FROM dynamodb_recovery_log WHERE table_id = ? AND at >= ? AND at < ? GROUP BY hash_key, range_key ORDER BY MIN(seq)')
    .all(t.id, from, to) as { hash_key: Buffer; range_key: Buffer; at: number }[];
  const lines: string[] = [];
  for (const w of written) {
    const k = rowKey(w.hash_key, w.range_key);
    const oldImage = before.get(k);
    const newImage = after.get(k);
    if (oldImage === undefined && newImage === undefined) continue;
    const item = JSON.parse((newImage ?? oldImage)!) as Record<string, unknown>;
    const key = Object.fromEntries(keys.map((name) => [name, item[name]]));
    lines.push(`{"Metadata":{"WriteTimestampMicros":{"N":"${w.at * 1000}"}},"Keys":${JSON.stringify(key)}`
      + `${newImage !== undefined ? `,"NewImage":${newImage}` : ''}${view === 'NEW_AND_OLD_IMAGES' && oldImage !== undefined ? `,"OldImage":${oldImage}` : ''}}`);
  }
  return lines;
}

/**
 * The data file, then the manifests that describe it. A full export's data is under its own
 * folder; incremental exports share `AWSDynamoDB/data/`, as AWS writes them.
 */
async function exportObjects(base: string, d: ExportDescription, lines: string[], now: Date): Promise<ExportObject[]> {
  // ion-js is loaded by the first Ion export or import, not with DynamoDB.
  const ion = d.ExportFormat === 'ION' ? await import('./ion.js') : undefined;
  const data = gzipSync(lines.map((line) => `${ion ? ion.ionLine(JSON.parse(line) as Record<string, Record<string, unknown>>) : line}\n`).join(''));
  const incremental = d.IncrementalExportSpecification;
  const folder = incremental ? `${base.slice(0, base.lastIndexOf('/'))}/data` : `${base}/data`;
  const dataKey = `${folder}/${randomBytes(13).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'a')}.${ion ? 'ion' : 'json'}.gz`;
  const md5 = createHash('md5').update(data).digest();
  const files = `${JSON.stringify({ itemCount: lines.length, md5Checksum: md5.toString('base64'), etag: md5.toString('hex'), dataFileS3Key: dataKey })}\n`;
  const summary = {
    version: '2020-06-30', exportArn: d.ExportArn, startTime: d.StartTime!.toISOString(), endTime: now.toISOString(), tableArn: d.TableArn, tableId: d.TableId,
    ...(incremental
      ? { exportFromTime: incremental.ExportFromTime!.toISOString(), exportToTime: incremental.ExportToTime!.toISOString() }
      : { exportTime: d.ExportTime!.toISOString() }),
    s3Bucket: d.S3Bucket, s3Prefix: d.S3Prefix ?? null, s3SseAlgorithm: d.S3SseAlgorithm, s3SseKmsKeyId: d.S3SseKmsKeyId ?? null,
    manifestFilesS3Key: `${base}/manifest-files.json`, billedSizeBytes: d.BilledSizeBytes, itemCount: lines.length, outputFormat: d.ExportFormat,
    ...(incremental ? { outputView: incremental.ExportViewType } : {}), exportType: d.ExportType,
  };
  return [
    { key: `${base}/_started`, body: Buffer.alloc(0), contentType: 'binary/octet-stream' },
    { key: dataKey, body: data, contentType: 'application/x-gzip' },
    { key: `${base}/manifest-files.json`, body: Buffer.from(files), contentType: 'application/json' },
    { key: `${base}/manifest-summary.json`, body: Buffer.from(JSON.stringify(summary)), contentType: 'application/json' },
  ];
}

function describeExport(r: ExportRow): ExportDescription {
  const d = JSON.parse(r.description) as ExportDescription & { StartTime: string; ExportTime?: string };
  const out: ExportDescription = { ...d, StartTime: new Date(d.StartTime), ...(d.ExportTime !== undefined ? { ExportTime: new Date(d.ExportTime) } : {}) };
  const incremental = d.IncrementalExportSpecification as { ExportFromTime: string; ExportToTime: string; ExportViewType: ExportViewType } | undefined;
  if (incremental) out.IncrementalExportSpecification = { ...incremental, ExportFromTime: new Date(incremental.ExportFromTime), ExportToTime: new Date(incremental.ExportToTime) };
  if (r.failure) return { ...out, ExportStatus: 'FAILED', FailureCode: r.failure, FailureMessage: failureMessage(r.failure, d.S3Bucket!), EndTime: new Date(r.completed_at!) };
  if (r.pending > 0) return out;
  return { ...out, ExportStatus: 'COMPLETED', EndTime: new Date(r.completed_at!) };
}

/** How long a ClientToken names one export (the API reference's idempotency window). */
const TOKEN_WINDOW_MS = 8 * 3_600_000;

/** The export requested in this account and region with this ClientToken within the last 8 hours. */
function sameToken(ctx: RequestContext, token: string, now: number): ExportDescription | undefined {
  const r = ctx.db.prepare(`SELECT * FROM dynamodb_exports WHERE account_id = ? AND region = ? AND json_extract(description, '$.ClientToken') = ? AND created_at > ?
    ORDER BY created_at DESC LIMIT 1`).get(ctx.accountId, ctx.region, token, now - TOKEN_WINDOW_MS) as ExportRow | undefined;
  return r && describeExport(r);
}

/** Whether a request asks for the export `d` describes: a repeat, which answers it again. */
function sameRequest(d: ExportDescription, input: ExportTableToPointInTimeInput): boolean {
  return d.TableArn === input.TableArn && d.S3Bucket === input.S3Bucket && d.S3BucketOwner === input.S3BucketOwner && d.S3Prefix === input.S3Prefix
    && d.S3SseAlgorithm === (input.S3SseAlgorithm ?? 'AES256') && d.S3SseKmsKeyId === input.S3SseKmsKeyId
    && d.ExportFormat === (input.ExportFormat ?? 'DYNAMODB_JSON') && d.ExportType === (input.ExportType ?? 'FULL_EXPORT')
    // Without an ExportTime (or ExportToTime) each request means "now": a repeat names the same export.
    && (input.ExportTime === undefined || input.ExportTime.getTime() === d.ExportTime?.getTime())
    && sameWindow(d.IncrementalExportSpecification, input.IncrementalExportSpecification);
}

function sameWindow(d: IncrementalExportSpecification | undefined, asked: IncrementalExportSpecification | undefined): boolean {
  if (!d || !asked) return !d && (!asked || asked.ExportFromTime === undefined);
  return asked.ExportFromTime?.getTime() === d.ExportFromTime!.getTime() && (asked.ExportToTime === undefined || asked.ExportToTime.getTime() === d.ExportToTime!.getTime())
    && (asked.ExportViewType ?? 'NEW_AND_OLD_IMAGES') === d.ExportViewType;
}

function failureMessage(code: string, bucket: string): string {
  return code === 'S3NoSuchBucket' ? `The specified bucket does not exist (Bucket: ${bucket})` : `Access denied to the S3 bucket ${bucket}`;
}

export const exportHandlers: Handlers<Operations> = {
  async ExportTableToPointInTime(input, ctx) {
    const t = exportedTable(ctx, input.TableArn);
    const incremental = input.ExportType === 'INCREMENTAL_EXPORT';
    if (incremental && input.IncrementalExportSpecification?.ExportFromTime === undefined) throw invalid('Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification');
    if (incremental && input.ExportTime !== undefined) throw invalid('Invalid Request: ExportTime cannot be provided for an incremental export; give IncrementalExportSpecification');
    if (!incremental && input.IncrementalExportSpecification !== undefined) throw invalid('Invalid Request: IncrementalExportSpecification can only be provided for an INCREMENTAL_EXPORT');
    if (t.recoverySince === undefined) throw new AwsError('PointInTimeRecoveryUnavailableException', `Point in time recovery is not enabled for table '${t.name}'`);
    const { earliest, latest: now } = restorableRange(ctx, t);
    const at = input.ExportTime?.getTime() ?? now;
    const from = input.IncrementalExportSpecification?.ExportFromTime?.getTime() ?? at;
    const to = input.IncrementalExportSpecification?.ExportToTime?.getTime() ?? now;
    if (at < earliest || at > now || from < earliest || to > now) {
      throw new AwsError('InvalidExportTimeException', 'Export time must be within the point-in-time recovery window of the table, and not in the future.');
    }
    // "Pick an export period ... from 15 minutes up to 24 hours."
    if (incremental && (to - from < 15 * 60_000 || to - from > 24 * 3_600_000)) {
      throw invalid('Invalid Request: The period between ExportFromTime and ExportToTime must be at least 15 minutes and at most 24 hours');
    }
    if (input.S3SseAlgorithm === 'KMS' && !input.S3SseKmsKeyId) throw invalid('S3SseKmsKeyId must be specified when S3SseAlgorithm is KMS');
    const again = input.ClientToken === undefined ? undefined : sameToken(ctx, input.ClientToken, now);
    if (again) {
      if (!sameRequest(again, input)) throw new AwsError('ExportConflictException', `An export with client token ${input.ClientToken} was requested in the last 8 hours with other parameters.`);
      return { ExportDescription: again };
    }
    const id = `${String(now).padStart(14, '0')}-${randomUUID().slice(0, 8)}`;
    const arn = `${t.description.TableArn}/export/${id}`;
    const prefix = input.S3Prefix ? `${input.S3Prefix.replace(/\/+$/, '')}/` : '';
    const base = `${prefix}AWSDynamoDB/${id}`;
    const view = input.IncrementalExportSpecification?.ExportViewType ?? 'NEW_AND_OLD_IMAGES';
    const lines = incremental ? changesBetween(ctx, t, from, to, view) : [...itemsAt(ctx, t, at).values()].map((item) => `{"Item":${item}}`);
    const description: ExportDescription = {
      ExportArn: arn, ExportStatus: 'IN_PROGRESS', StartTime: new Date(now), TableArn: t.description.TableArn, TableId: t.id,
      ...(incremental ? { IncrementalExportSpecification: { ExportFromTime: new Date(from), ExportToTime: new Date(to), ExportViewType: view } } : { ExportTime: new Date(at) }),
      ClientToken: input.ClientToken ?? randomUUID(), S3Bucket: input.S3Bucket, ...(input.S3BucketOwner ? { S3BucketOwner: input.S3BucketOwner } : {}),
      ...(input.S3Prefix !== undefined ? { S3Prefix: input.S3Prefix } : {}), S3SseAlgorithm: input.S3SseAlgorithm ?? 'AES256',
      ...(input.S3SseKmsKeyId ? { S3SseKmsKeyId: input.S3SseKmsKeyId } : {}), ExportFormat: input.ExportFormat ?? 'DYNAMODB_JSON', ExportType: incremental ? 'INCREMENTAL_EXPORT' : 'FULL_EXPORT',
      ExportManifest: `${base}/manifest-summary.json`, ItemCount: lines.length, BilledSizeBytes: lines.reduce((n, l) => n + Buffer.byteLength(l), 0),
    };
    const objects = await exportObjects(base, description, lines, new Date(now));
    ctx.db.prepare('INSERT INTO dynamodb_exports (arn, account_id, region, table_arn, description, pending, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(arn, ctx.accountId, ctx.region, t.description.TableArn, JSON.stringify(description), objects.length, now);
    for (const o of objects) {
      const blob = await ctx.blobs.write(o.body);
      const report = { event: 'dynamodb:export-object' as const, payload: { exportArn: arn } };
      ctx.bus.publish('s3:put-object', {
        bucket: input.S3Bucket, key: o.key, blobId: blob.id, size: blob.size, md5: blob.md5, contentType: o.contentType, owner: ctx.accountId,
        ...(input.S3BucketOwner ? { expectedOwner: input.S3BucketOwner } : {}), onFailure: report, onSuccess: report,
      });
    }
    return { ExportDescription: description };
  },

  DescribeExport(input, ctx) {
    const r = ctx.db.prepare('SELECT * FROM dynamodb_exports WHERE arn = ? AND account_id = ? AND region = ?').get(input.ExportArn, ctx.accountId, ctx.region) as ExportRow | undefined;
    if (!r) throw new AwsError('ExportNotFoundException', `Export not found: ${input.ExportArn}`);
    return { ExportDescription: describeExport(r) };
  },

  // Newest first; TableArn narrows the list to one table's exports.
  ListExports(input, ctx) {
    const rows = ctx.db.prepare('SELECT * FROM dynamodb_exports WHERE account_id = ? AND region = ? ORDER BY created_at DESC, arn').all(ctx.accountId, ctx.region) as (ExportRow & { table_arn: string })[];
    const mine = rows.filter((r) => input.TableArn === undefined || r.table_arn === input.TableArn);
    const start = input.NextToken === undefined ? 0 : mine.findIndex((r) => r.arn === Buffer.from(input.NextToken!, 'base64url').toString());
    if (start < 0) throw invalid('Invalid NextToken');
    const limit = input.MaxResults ?? 25;
    const page = mine.slice(start, start + limit).map((r) => describeExport(r));
    const next = mine[start + limit];
    return {
      ExportSummaries: page.map((d) => ({ ExportArn: d.ExportArn, ExportStatus: d.ExportStatus, ExportType: d.ExportType })),
      ...(next ? { NextToken: Buffer.from(next.arn).toString('base64url') } : {}),
    };
  },
};

/** S3's report on one object of an export: written, or not (`reason`, which fails the export). */
export function exportObjectWritten(payload: { exportArn: string; reason?: string }, env: ServiceEnv): void {
  const now = env.clock.now();
  if (payload.reason) {
    env.db.prepare('UPDATE dynamodb_exports SET failure = COALESCE(failure, ?), completed_at = COALESCE(completed_at, ?) WHERE arn = ?').run(payload.reason, now, payload.exportArn);
    return;
  }
  env.db.prepare('UPDATE dynamodb_exports SET pending = pending - 1, completed_at = CASE WHEN pending = 1 THEN ? ELSE completed_at END WHERE arn = ? AND pending > 0').run(now, payload.exportArn);
}
