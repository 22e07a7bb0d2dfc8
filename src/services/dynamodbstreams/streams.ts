import type { Operations, _Record } from '../../generated/types/dynamodbstreams.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { decodeRecord, sequenceNumber } from '../dynamodb/streams.js';

/**
 * ListStreams, DescribeStream, GetShardIterator, GetRecords. Each stream has one shard; a
 * shard iterator is an opaque token naming the stream, the shard, the next record and when it
 * was issued (iterators expire after 15 minutes, by the Nimbus clock).
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
 */
const ITERATOR_TTL_MS = 15 * 60 * 1000;
const invalid = (m: string) => new AwsError('ValidationException', m);

interface StreamRow {
  arn: string; table_name: string; label: string; view_type: string; key_schema: string; shard_id: string; created_at: number; disabled_at: number | null;
}

interface Iterator {
  arn: string;
  shard: string;
  /** The next record to return has a sequence number greater than this. */
  after: number;
  issued: number;
}

/** A stream ARN names its table and label: arn:aws:dynamodb:us-east-1:123456789012:table/Music/stream/2026-11-22T04:40:35.123. */
const STREAM_ARN = /^arn:[\w-]+:dynamodb:[\w-]+:\d{12}:table\/[\w.-]{3,255}\/stream\/[\w.:-]+$/;

/** A StreamArn that is not an ARN at all is a malformed request, not a missing stream (as AWS answers). */
function checkArn(arn: string): void {
  if (!STREAM_ARN.test(arn)) throw invalid('Invalid StreamArn');
}

function stream(ctx: RequestContext, arn: string): StreamRow {
  checkArn(arn);
  const row = ctx.db.prepare('SELECT * FROM dynamodb_streams WHERE arn = ? AND account_id = ? AND region = ?').get(arn, ctx.accountId, ctx.region) as StreamRow | undefined;
  if (!row) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);
  return row;
}

function bounds(ctx: RequestContext, s: StreamRow): { first: number | undefined; last: number | undefined } {
  const r = ctx.db.prepare('SELECT MIN(seq) AS first, MAX(seq) AS last FROM dynamodb_stream_records WHERE stream_arn = ?').get(s.arn) as { first: number | null; last: number | null };
  return { first: r.first ?? undefined, last: r.last ?? undefined };
}

function encodeIterator(it: Iterator): string {
  return Buffer.from(JSON.stringify(it)).toString('base64');
}

function decodeIterator(token: string): Iterator {
  try {
    const it = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Iterator;
    if (typeof it.arn === 'string' && typeof it.after === 'number') return it;
  } catch {
    // fall through to the error below
  }
  throw invalid('Invalid ShardIterator');
}

export const streamHandlers: Handlers<Operations> = {
  ListStreams(input, ctx) {
    if (input.ExclusiveStartStreamArn !== undefined) checkArn(input.ExclusiveStartStreamArn);
    const rows = (input.TableName
      ? ctx.db.prepare('SELECT * FROM dynamodb_streams WHERE account_id = ? AND region = ? AND table_name = ? ORDER BY arn').all(ctx.accountId, ctx.region, input.TableName)
      : ctx.db.prepare('SELECT * FROM dynamodb_streams WHERE account_id = ? AND region = ? ORDER BY arn').all(ctx.accountId, ctx.region)) as StreamRow[];
    const after = input.ExclusiveStartStreamArn ? rows.filter((r) => r.arn > input.ExclusiveStartStreamArn!) : rows;
    const limit = input.Limit ?? 100;
    const page = after.slice(0, limit);
    return {
      Streams: page.map((r) => ({ StreamArn: r.arn, TableName: r.table_name, StreamLabel: r.label })),
      ...(after.length > limit ? { LastEvaluatedStreamArn: page[page.length - 1]!.arn } : {}),
    };
  },

  DescribeStream(input, ctx) {
    const s = stream(ctx, input.StreamArn);
    const { first, last } = bounds(ctx, s);
    // Shards are listed in ShardId order, so an ExclusiveStartShardId at or past the only shard leaves none.
    const listed = input.ExclusiveStartShardId === undefined || input.ExclusiveStartShardId < s.shard_id;
    const range = {
      StartingSequenceNumber: sequenceNumber(first ?? 0),
      ...(s.disabled_at !== null ? { EndingSequenceNumber: sequenceNumber(last ?? first ?? 0) } : {}),
    };
    return {
      StreamDescription: {
        StreamArn: s.arn, StreamLabel: s.label, StreamStatus: s.disabled_at === null ? 'ENABLED' : 'DISABLED',
        StreamViewType: s.view_type as 'KEYS_ONLY', CreationRequestDateTime: new Date(s.created_at), TableName: s.table_name,
        KeySchema: JSON.parse(s.key_schema), Shards: listed ? [{ ShardId: s.shard_id, SequenceNumberRange: range }] : [],
      },
    };
  },

  GetShardIterator(input, ctx) {
    const s = stream(ctx, input.StreamArn);
    if (input.ShardId !== s.shard_id) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Shard does not exist`);
    const { first, last } = bounds(ctx, s);
    const positional = input.ShardIteratorType === 'TRIM_HORIZON' || input.ShardIteratorType === 'LATEST';
    if (positional && input.SequenceNumber !== undefined) {
      throw invalid(`Sequence number must not be specified for ShardIteratorType ${input.ShardIteratorType}`);
    }
    let after: number;
    switch (input.ShardIteratorType) {
      case 'TRIM_HORIZON': after = 0; break;
      case 'LATEST': after = last ?? 0; break;
      default: {
        if (!input.SequenceNumber || !/^\d+$/.test(input.SequenceNumber)) throw invalid(`Invalid SequenceNumber: ${input.SequenceNumber ?? 'null'}`);
        const seq = Number(input.SequenceNumber);
        // The shard's StartingSequenceNumber (DescribeStream) is a valid position even before any record exists.
        const exists = seq === (first ?? 0) || ctx.db.prepare('SELECT 1 FROM dynamodb_stream_records WHERE stream_arn = ? AND seq = ?').get(s.arn, seq);
        // Sequence numbers grow with time, so one below the oldest kept record was trimmed (after 24 hours).
        if (!exists && first !== undefined && seq < first) {
          throw new AwsError('TrimmedDataAccessException', 'The operation attempted to read past the oldest stream record in a shard.');
        }
        if (!exists) throw invalid(`Invalid SequenceNumber: ${input.SequenceNumber} for shard: ${s.shard_id}`);
        after = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? seq - 1 : seq;
      }
    }
    return { ShardIterator: encodeIterator({ arn: s.arn, shard: s.shard_id, after, issued: ctx.clock.now() }) };
  },

  GetRecords(input, ctx) {
    // API_streams_GetRecords: "The upper limit is 1000."
    if (input.Limit !== undefined && input.Limit > 1000) {
      throw invalid(`1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    }
    const it = decodeIterator(input.ShardIterator);
    const now = ctx.clock.now();
    if (now - it.issued > ITERATOR_TTL_MS) {
      throw new AwsError('ExpiredIteratorException', `Iterator expired. The iterator was created at time ${new Date(it.issued).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of 900000 milliseconds.`);
    }
    const s = stream(ctx, it.arn);
    const rows = ctx.db.prepare('SELECT seq, record FROM dynamodb_stream_records WHERE stream_arn = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(s.arn, it.after, input.Limit ?? 1000) as { seq: number; record: string }[];
    const records = rows.map((r) => decodeRecord(r.record, r.seq) as _Record);
    const next = rows.length ? rows[rows.length - 1]!.seq : it.after;
    // A closed shard with nothing left has no next iterator: the reader is done with it.
    const closed = s.disabled_at !== null && rows.length === 0;
    return { Records: records, ...(closed ? {} : { NextShardIterator: encodeIterator({ ...it, after: next, issued: now }) }) };
  },
};
