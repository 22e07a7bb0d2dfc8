import { randomUUID } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { CsvOptions, ImportTableDescription, Operations } from '../../generated/types/dynamodb.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext, ServiceEnv } from '../service.js';
import { attributeType, checkItemKeys, tableById, writeItem, type Table } from './table.js';
import { tableHandlers } from './tables.js';
import { checkSize } from './items.js';
import { checkItem, reviveItem, type Item } from './values.js';

/**
 * Imports from S3 into a new table (ImportTable): the table is created at once and stays CREATING
 * while the import runs. The objects under the prefix come from S3 through the event bus: DynamoDB
 * asks `s3:list-objects`, and S3 answers `dynamodb:import-objects` with each object's blob, which
 * is read here. Lines are DynamoDB JSON (`{"Item":{...}}`, as exports write them), Amazon Ion (the
 * same, see ion.ts) or CSV, plain or gzipped. An item that fails validation is skipped and counted,
 * and the import then ends FAILED with ItemValidationError, the valid items imported, as AWS ends
 * it; a bucket that is missing or belongs to another owner than S3BucketOwner fails it with
 * S3NoSuchBucket or S3AccessDenied. Progress is committed with the items, every BATCH lines, so a
 * redelivered answer resumes where the last commit left off and imports nothing twice. Not here:
 * ZSTD (Node.js 20 cannot inflate it: each such object counts as an error), CloudWatch error logs.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Validation.html
 */
export const importMigrations = [{
  id: 'dynamodb/008-imports',
  sql: `
    CREATE TABLE dynamodb_imports (
      arn TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL, table_arn TEXT NOT NULL, table_id TEXT NOT NULL,
      client_token TEXT NOT NULL, request TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
      objects_done INTEGER NOT NULL DEFAULT 0, lines_done BIGINT NOT NULL DEFAULT 0, processed_items BIGINT NOT NULL DEFAULT 0,
      processed_bytes BIGINT NOT NULL DEFAULT 0, imported_items BIGINT NOT NULL DEFAULT 0, errors BIGINT NOT NULL DEFAULT 0,
      failure_code TEXT, failure_message TEXT, created_at BIGINT NOT NULL, ended_at BIGINT);
    CREATE INDEX dynamodb_imports_account ON dynamodb_imports (account_id, region, created_at);
    CREATE INDEX dynamodb_imports_token ON dynamodb_imports (account_id, region, client_token);
    CREATE INDEX dynamodb_imports_table ON dynamodb_imports (table_id, status);
  `,
}];

/** Lines per transaction of imported items and progress. */
const BATCH = 500;
/** A client token names the same import for 8 hours (ImportTable's ClientToken). */
const TOKEN_MS = 8 * 3_600_000;

const invalid = (m: string) => new AwsError('ValidationException', m);

interface ImportRow {
  arn: string; table_id: string; request: string; description: string; status: NonNullable<ImportTableDescription['ImportStatus']>;
  objects_done: number; lines_done: number; processed_items: number; processed_bytes: number; imported_items: number; errors: number;
  failure_code: string | null; failure_message: string | null; ended_at: number | null;
}

/** What S3 answers to `s3:list-objects` (src/services/s3/deliveries.ts). */
interface ImportObjects {
  importArn: string;
  objects?: { key: string; blobId: string; size: number }[];
  reason?: string;
}

/** The same JSON for the same request, whatever order its members came in: a client token's parameters are compared by it. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function describeImport(r: ImportRow): ImportTableDescription {
  const d = JSON.parse(r.description) as ImportTableDescription & { StartTime: string };
  return {
    ...d, ImportStatus: r.status, StartTime: new Date(d.StartTime),
    ProcessedItemCount: r.processed_items, ProcessedSizeBytes: r.processed_bytes, ImportedItemCount: r.imported_items, ErrorCount: r.errors,
    ...(r.ended_at !== null ? { EndTime: new Date(r.ended_at) } : {}),
    ...(r.failure_code ? { FailureCode: r.failure_code, FailureMessage: r.failure_message! } : {}),
  };
}

function findImport(env: ServiceEnv, arn: string): ImportRow | undefined {
  return env.db.prepare('SELECT * FROM dynamodb_imports WHERE arn = ?').get(arn) as ImportRow | undefined;
}

export const importHandlers: Handlers<Operations> = {
  ImportTable(input, ctx) {
    const { ClientToken: token, ...parameters } = input;
    const request = canonical(parameters);
    const now = ctx.clock.now();
    if (token !== undefined) {
      const prior = ctx.db.prepare('SELECT * FROM dynamodb_imports WHERE account_id = ? AND region = ? AND client_token = ? AND created_at > ?')
        .get(ctx.accountId, ctx.region, token, now - TOKEN_MS) as ImportRow | undefined;
      // ClientToken's documentation names IdempotentParameterMismatch, but ImportTable's errors are
      // ImportConflictException's, "a previous import request that had the same client token".
      if (prior && prior.request !== request) {
        throw new AwsError('ImportConflictException', `An import with client token ${token} was already requested with different parameters: ${prior.arn}`);
      }
      if (prior) return { ImportTableDescription: describeImport(prior) };
    }
    return ctx.db.transaction(() => {
      const created = tableHandlers.CreateTable!({ ...input.TableCreationParameters }, ctx);
      // The table and its import are one transaction, which a promise would escape.
      if (created instanceof Promise) throw new Error('ImportTable needs CreateTable to be synchronous');
      const table = created.TableDescription!;
      const id = `${String(now).padStart(14, '0')}-${randomUUID().slice(0, 8)}`;
      const arn = `${table.TableArn}/import/${id}`;
      const description: ImportTableDescription = {
        ImportArn: arn, ImportStatus: 'IN_PROGRESS', TableArn: table.TableArn, TableId: table.TableId, ClientToken: token ?? randomUUID(),
        S3BucketSource: input.S3BucketSource, InputFormat: input.InputFormat, ...(input.InputFormatOptions ? { InputFormatOptions: input.InputFormatOptions } : {}),
        InputCompressionType: input.InputCompressionType ?? 'NONE', TableCreationParameters: input.TableCreationParameters, StartTime: new Date(now),
      };
      ctx.db.prepare(`INSERT INTO dynamodb_imports (arn, account_id, region, table_arn, table_id, client_token, request, description, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'IN_PROGRESS', ?)`)
        .run(arn, ctx.accountId, ctx.region, table.TableArn, table.TableId, description.ClientToken, request, JSON.stringify(description), now);
      ctx.bus.publish('s3:list-objects', {
        bucket: input.S3BucketSource.S3Bucket, prefix: input.S3BucketSource.S3KeyPrefix ?? '',
        ...(input.S3BucketSource.S3BucketOwner ? { expectedOwner: input.S3BucketSource.S3BucketOwner } : {}),
        reply: { event: 'dynamodb:import-objects', payload: { importArn: arn } },
      });
      return { ImportTableDescription: describeImport(findImport(ctx, arn)!) };
    })();
  },

  DescribeImport(input, ctx) {
    const r = ctx.db.prepare('SELECT * FROM dynamodb_imports WHERE arn = ? AND account_id = ? AND region = ?').get(input.ImportArn, ctx.accountId, ctx.region) as ImportRow | undefined;
    if (!r) throw new AwsError('ImportNotFoundException', `Import not found: ${input.ImportArn}`);
    return { ImportTableDescription: describeImport(r) };
  },

  // Newest first, as ListExports; TableArn narrows the list to one table's imports.
  ListImports(input, ctx) {
    const size = input.PageSize ?? 25;
    if (size < 1 || size > 25) throw invalid(`1 validation error detected: Value '${size}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 25`);
    const rows = (ctx.db.prepare('SELECT * FROM dynamodb_imports WHERE account_id = ? AND region = ? ORDER BY created_at DESC, arn').all(ctx.accountId, ctx.region) as (ImportRow & { table_arn: string })[])
      .filter((r) => input.TableArn === undefined || r.table_arn === input.TableArn);
    const start = input.NextToken === undefined ? 0 : rows.findIndex((r) => r.arn === Buffer.from(input.NextToken!, 'base64url').toString());
    if (start < 0) throw invalid('Invalid NextToken');
    const next = rows[start + size];
    return {
      ImportSummaryList: rows.slice(start, start + size).map(describeImport).map((d) => ({
        ImportArn: d.ImportArn, ImportStatus: d.ImportStatus, TableArn: d.TableArn, S3BucketSource: d.S3BucketSource, InputFormat: d.InputFormat,
        StartTime: d.StartTime, ...(d.EndTime ? { EndTime: d.EndTime } : {}),
      })),
      ...(next ? { NextToken: Buffer.from(next.arn).toString('base64url') } : {}),
    };
  },
};

function settle(env: ServiceEnv, arn: string, status: 'COMPLETED' | 'FAILED', code?: string, message?: string): void {
  env.db.prepare(`UPDATE dynamodb_imports SET status = ?, failure_code = ?, failure_message = ?, ended_at = ? WHERE arn = ? AND status = 'IN_PROGRESS'`)
    .run(status, code ?? null, message ?? null, env.clock.now(), arn);
}

/** FailureMessage of the import FAILED for S3's `reason`, in AWS's words (S3DataImport.Validation.html). */
const S3_FAILURES: Record<string, string> = {
  S3NoSuchBucket: 'The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket)',
  S3AccessDenied: 'Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)',
};

/**
 * S3's answer to an import's `s3:list-objects`: the objects are read one after the other, from
 * where the committed progress says, and the import settles. A redelivered answer to an import
 * that has settled changes nothing.
 */
export async function importObjects(answer: ImportObjects, env: ServiceEnv): Promise<void> {
  const row = findImport(env, answer.importArn);
  if (!row || row.status !== 'IN_PROGRESS') return;
  // Unlike AWS, which does not create the table when the bucket cannot be read, the table stays, empty.
  if (answer.reason) return settle(env, row.arn, 'FAILED', answer.reason, S3_FAILURES[answer.reason]);
  const t = tableById(env, row.table_id);
  if (!t) return settle(env, row.arn, 'FAILED', 'ResourceNotFoundException', 'The table was deleted while the import ran');
  const d = JSON.parse(row.description) as ImportTableDescription;
  const objects = answer.objects!;
  for (let i = row.objects_done; i < objects.length; i++) {
    await importObject(env, t, d, objects[i]!.blobId, i, i === row.objects_done ? row.lines_done : 0);
  }
  const errors = (findImport(env, row.arn)!).errors;
  if (errors === 0) settle(env, row.arn, 'COMPLETED');
  else settle(env, row.arn, 'FAILED', 'ItemValidationError', 'Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details.');
}

/** What a batch of lines adds to the import's counts. */
interface Counts { processedItems: number; processedBytes: number; importedItems: number; errors: number }

/**
 * One object's lines, from `skip` on (those before were committed by an earlier delivery). An
 * object that cannot be read to its end (its blob gone with an overwrite or delete, a corrupt
 * gzip, ZSTD, which Node.js 20's zlib cannot inflate) counts as one error, and the lines read
 * before stay imported: AWS skips the rest of a malformed object the same way.
 */
async function importObject(env: ServiceEnv, t: Table, d: ImportTableDescription, blobId: string, index: number, skip: number): Promise<void> {
  const arn = d.ImportArn!;
  // ion-js is loaded by the first Ion import or export, not with DynamoDB.
  const read = d.InputFormat === 'CSV' ? csvReader(t, d.InputFormatOptions?.Csv)
    : itemReader(t, d.InputFormat === 'ION' ? (await import('./ion.js')).ionItem : jsonItem);
  const items: Item[] = [];
  let counts: Counts = { processedItems: 0, processedBytes: 0, importedItems: 0, errors: 0 };
  const commit = (done: number, objectDone: boolean) => {
    const c = counts;
    env.db.transaction(() => {
      for (const item of items) writeItem(env, t, item);
      env.db.prepare(`UPDATE dynamodb_imports SET processed_items = processed_items + ?, processed_bytes = processed_bytes + ?, imported_items = imported_items + ?,
        errors = errors + ?, objects_done = ?, lines_done = ? WHERE arn = ?`)
        .run(c.processedItems, c.processedBytes, c.importedItems, c.errors, objectDone ? index + 1 : index, objectDone ? 0 : done, arn);
    })();
    items.length = 0;
    counts = { processedItems: 0, processedBytes: 0, importedItems: 0, errors: 0 };
  };
  const body = readBody(env, blobId, d.InputCompressionType ?? 'NONE');
  const lines = records(body, d.InputFormat === 'CSV')[Symbol.asyncIterator]();
  let n = 0;
  try {
    for (;;) {
      let next: IteratorResult<{ text: string; bytes: number }>;
      try {
        next = await lines.next();
      } catch {
        counts.errors++;
        break;
      }
      if (next.done) break;
      // Blank lines are no items, and not numbered: a CSV header is always line 0.
      if (next.value.text.trim() === '') {
        if (n >= skip) counts.processedBytes += next.value.bytes;
        continue;
      }
      const line = n++;
      // Lines an earlier delivery committed are passed over, all but a CSV header.
      if (line < skip && line > 0) continue;
      const result = read(next.value.text);
      if (line < skip) continue;
      counts.processedBytes += next.value.bytes;
      if (result === undefined) continue;
      counts.processedItems++;
      if (result instanceof Error) {
        counts.errors++;
      } else {
        items.push(result);
        counts.importedItems++;
      }
      if (n % BATCH === 0) commit(n, false);
    }
  } finally {
    body.destroy();
  }
  commit(n, true);
}

/** An object's bytes, inflated as InputCompressionType says. */
function readBody(env: ServiceEnv, blobId: string, compression: string): Readable {
  const raw = env.blobs.read(blobId);
  const stream = Buffer.isBuffer(raw) ? Readable.from([raw]) : raw;
  if (compression === 'NONE') return stream;
  if (compression === 'GZIP') return pipeline(stream, createGunzip(), () => {});
  stream.destroy();
  return new Readable({ read() { this.destroy(new Error(`Nimbus cannot inflate ${compression} objects`)); } });
}

/**
 * The lines of a body, with their length in bytes (their newline included: ProcessedSizeBytes is
 * the uncompressed size read). A CSV record whose quoted field holds a newline goes on to the next line.
 */
async function* records(body: Readable, csv: boolean): AsyncGenerator<{ text: string; bytes: number }> {
  let rest: Buffer = Buffer.alloc(0);
  let pending: { text: string; bytes: number } | undefined;
  function* emit(text: string, bytes: number) {
    const line = pending ? { text: `${pending.text}\n${text}`, bytes: pending.bytes + bytes } : { text, bytes };
    pending = undefined;
    if (csv && unbalancedQuotes(line.text)) pending = line;
    else yield line;
  }
  for await (const chunk of body) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : chunk as Buffer;
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      yield* emit(buf.toString('utf8', start, buf[nl - 1] === 13 && nl > start ? nl - 1 : nl), nl + 1 - start);
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  if (rest.length > 0) yield* emit(rest.toString('utf8'), rest.length);
  if (pending) yield pending;
}

function unbalancedQuotes(text: string): boolean {
  let quotes = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) quotes++;
  return quotes % 2 === 1;
}

/** The checks of a PutItem: values well formed, the table's and indexes' keys present and typed, 400 KB at most. */
function checkImported(t: Table, item: Item): Item {
  const checked = checkItem(item);
  checkItemKeys(t, checked);
  checkSize(checked);
  return checked;
}

/** Reads one line: an item, an Error for an item that fails the checks, undefined for a line that is no item (a CSV header). */
type LineReader = (text: string) => Item | Error | undefined;

/** Lines of one item each, read by `parse`, which throws on a line that holds none; a bad line is its Error. */
function itemReader(t: Table, parse: (text: string) => Item): LineReader {
  return (text) => {
    try {
      return checkImported(t, parse(text));
    } catch (e) {
      return e as Error;
    }
  };
}

/** One line of DynamoDB JSON: `{"Item":{"pk":{"S":"a"},...}}`. */
function jsonItem(text: string): Item {
  const doc = JSON.parse(text) as unknown;
  const item = isObject(doc) ? doc['Item'] : undefined;
  if (!isObject(item) || !Object.values(item).every((v) => wellFormed(v))) throw new Error('The line is not an item in DynamoDB JSON');
  return reviveItem(item);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An attribute value of DynamoDB JSON: one type, holding what that type holds (checkItem judges the contents). */
function wellFormed(v: unknown): boolean {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const x = v[keys[0]!];
  switch (keys[0]) {
    case 'S': case 'N': case 'B': return typeof x === 'string';
    case 'BOOL': case 'NULL': return typeof x === 'boolean';
    case 'SS': case 'NS': case 'BS': return Array.isArray(x) && x.every((e) => typeof e === 'string');
    case 'L': return Array.isArray(x) && x.every(wellFormed);
    case 'M': return isObject(x) && Object.values(x).every(wellFormed);
    default: return false;
  }
}

/**
 * CSV lines: the first is the header unless HeaderList names the columns. Key attributes of the
 * table and its indexes take the type AttributeDefinitions gives them; every other column is a
 * string, as AWS imports CSV (S3DataImport.Format.html). An empty field is no attribute.
 */
function csvReader(t: Table, options: CsvOptions | undefined): LineReader {
  const delimiter = options?.Delimiter ?? ',';
  let header = options?.HeaderList;
  return (text) => {
    const fields = csvFields(text, delimiter);
    if (!header) {
      header = fields;
      return undefined;
    }
    if (fields.length !== header.length) return new Error(`The line has ${fields.length} columns where the header has ${header.length}`);
    const item: Item = {};
    header.forEach((name, i) => {
      const value = fields[i]!;
      if (value === '') return;
      const type = attributeType(t, name);
      item[name] = type === 'N' ? { N: value } : type === 'B' ? { B: Buffer.from(value, 'base64') } : { S: value };
    });
    try {
      return checkImported(t, item);
    } catch (e) {
      return e as Error;
    }
  };
}

/** The fields of one CSV record: a field in double quotes may hold the delimiter, newlines and doubled quotes. */
function csvFields(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      for (i++; i < text.length; i++) {
        if (text[i] !== '"') field += text[i];
        else if (text[i + 1] === '"') field += text[++i];
        else break;
      }
      const end = text.indexOf(delimiter, i);
      i = end < 0 ? text.length : end;
    } else {
      const end = text.indexOf(delimiter, i);
      field = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i += delimiter.length;
  }
}

