import { formatArn, parseArn } from '../../arn.js';
import type { RequestContext, ServiceEnv } from '../service.js';
import { invalidAddress, invalidAttributeName, invalidAttributeValue, invalidParameter, queueDoesNotExist } from './errors.js';
import { store, type QueueRow } from './store.js';

/** A queue as handlers see it: its row plus what follows from it. */
export interface Queue extends QueueRow {
  fifo: boolean;
  attrs: Record<string, string>;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Attribute defaults. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html */
const STANDARD_DEFAULTS: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const FIFO_DEFAULTS: Record<string, string> = {
  ...STANDARD_DEFAULTS,
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const BOOLEANS = new Set(['SqsManagedSseEnabled', 'ContentBasedDeduplication', 'FifoQueue']);
const SETTABLE = new Set([...Object.keys(FIFO_DEFAULTS), 'Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds']);
export const COMPUTED = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn'];

/** 1-80 alphanumerics, hyphens and underscores, plus `.fifo` for FIFO queues. */
export function checkQueueName(name: string): boolean {
  const fifo = name.endsWith('.fifo');
  const base = fifo ? name.slice(0, -5) : name;
  if (!/^[A-Za-z0-9_-]+$/.test(base) || name.length > 80) {
    throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
  return fifo;
}

export function queueArn(ctx: { accountId: string; region: string }, name: string): string {
  return formatArn({ service: 'sqs', region: ctx.region, account: ctx.accountId, resource: name });
}

export function queueUrl(env: ServiceEnv, q: { account_id: string; name: string }): string {
  return `${env.endpoint}/${q.account_id}/${q.name}`;
}

/**
 * A queue from its URL: `http://localhost:4566/<account>/<name>`, `http://sqs.<region>.localhost:4566/<account>/<name>`
 * or AWS's own host. The region is the host's when it names one, else the request's.
 */
export function queueFromUrl(ctx: RequestContext, url: string): Queue {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidAddress(url);
  }
  const parts = parsed.pathname.split('/').filter(Boolean);
  if (parts.length !== 2) throw invalidAddress(url);
  const hostRegion = /(?:^|\.)sqs\.([a-z0-9-]+)\./.exec(parsed.hostname)?.[1];
  const region = hostRegion && /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(hostRegion) ? hostRegion : ctx.region;
  const row = store(ctx).queueByName(parts[0]!, region, decodeURIComponent(parts[1]!));
  if (!row) throw queueDoesNotExist();
  return asQueue(row);
}

export function queueByArn(env: ServiceEnv, arn: string): Queue | undefined {
  const row = store(env).queueByArn(arn);
  return row ? asQueue(row) : undefined;
}

export function asQueue(row: QueueRow): Queue {
  const attrs = JSON.parse(row.attributes) as Record<string, string>;
  // The row is this call's own object, so it is completed in place: V8 in Node 20 builds
  // `{ ...row, attrs }` through a slow path that cost microseconds on every queue operation.
  return Object.assign(row, { attrs, fifo: attrs['FifoQueue'] === 'true' });
}

export function defaults(fifo: boolean): Record<string, string> {
  return { ...(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS) };
}

export function redrivePolicy(q: Queue): RedrivePolicy | undefined {
  const text = q.attrs['RedrivePolicy'];
  return text ? (JSON.parse(text) as RedrivePolicy) : undefined;
}

export function numberAttr(q: Queue, name: string): number {
  return Number(q.attrs[name] ?? STANDARD_DEFAULTS[name] ?? 0);
}

/**
 * Checks attributes given to CreateQueue or SetQueueAttributes and returns them in the form
 * GetQueueAttributes answers (numbers and JSON policies normalised, empty policies removed).
 */
export function normaliseAttributes(env: ServiceEnv, queueArn: string, given: Record<string, string>, fifo: boolean, creating: boolean): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, raw] of Object.entries(given)) {
    const value = raw.trim();
    if (!SETTABLE.has(name) || (!fifo && FIFO_ONLY.has(name))) throw invalidAttributeName(name);
    if (name === 'FifoQueue') {
      if (!creating) throw invalidAttributeValue(name, 'Modifying queue type is not supported.');
      if (value !== String(fifo)) throw invalidAttributeValue(name);
    }
    const range = RANGES[name];
    if (range && !(/^\d+$/.test(value) && Number(value) >= range[0] && Number(value) <= range[1])) throw invalidAttributeValue(name);
    if (BOOLEANS.has(name) && value !== 'true' && value !== 'false') throw invalidAttributeValue(name);
    if (name === 'DeduplicationScope' && value !== 'queue' && value !== 'messageGroup') throw invalidAttributeValue(name);
    if (name === 'FifoThroughputLimit' && value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidAttributeValue(name);
    if (range) out[name] = String(Number(value));
    else if (name === 'RedrivePolicy') out[name] = value ? normaliseRedrivePolicy(env, queueArn, value, fifo) : undefined;
    else if (name === 'RedriveAllowPolicy') out[name] = value ? normaliseRedriveAllowPolicy(value) : undefined;
    else if (name === 'Policy') out[name] = value ? normalisePolicy(value) : undefined;
    else out[name] = value;
  }
  // High throughput FIFO needs both settings together. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html
  if (out['FifoThroughputLimit'] === 'perMessageGroupId' && given['DeduplicationScope'] === 'queue') {
    throw invalidAttributeValue('FifoThroughputLimit', 'The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.');
  }
  return out;
}

function parseJson(name: string, text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* reported below */ }
  throw invalidAttributeValue(name);
}

function normaliseRedrivePolicy(env: ServiceEnv, sourceArn: string, text: string, fifo: boolean): string {
  const p = parseJson('RedrivePolicy', text);
  const target = p['deadLetterTargetArn'];
  const max = Number(p['maxReceiveCount']);
  const bad = (reason: string) => invalidParameter(`Value ${text} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  if (typeof target !== 'string' || !parseArn(target)) throw bad('Invalid value for deadLetterTargetArn.');
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw bad('Invalid value for maxReceiveCount: ' + String(p['maxReceiveCount']) + ', valid values are from 1 to 1000 both inclusive.');
  const dlq = queueByArn(env, target);
  if (!dlq) throw bad('Dead letter target does not exist.');
  if (dlq.fifo !== fifo) throw bad('Dead-letter queue must be same type of queue as the source.');
  if (!allowsSource(dlq, sourceArn)) throw bad(`Queue ${target} does not allow this queue to use it as a dead-letter queue.`);
  return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: max });
}

function normaliseRedriveAllowPolicy(text: string): string {
  const p = parseJson('RedriveAllowPolicy', text);
  const permission = p['redrivePermission'];
  const sources = p['sourceQueueArns'];
  const bad = (reason: string) => invalidParameter(`Value ${text} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`);
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') throw bad('Invalid value for redrivePermission.');
  if (permission === 'byQueue') {
    if (!Array.isArray(sources) || sources.length < 1 || sources.length > 10) throw bad('Amazon SQS supports 1 to 10 sourceQueueArns when redrivePermission is byQueue.');
    return JSON.stringify({ redrivePermission: permission, sourceQueueArns: sources });
  }
  if (sources !== undefined) throw bad('Amazon SQS can only use sourceQueueArns when redrivePermission is byQueue.');
  return JSON.stringify({ redrivePermission: permission });
}

function normalisePolicy(text: string): string {
  const p = parseJson('Policy', text);
  if (p['Statement'] === undefined) throw invalidAttributeValue('Policy', 'Policy must contain a Statement.');
  return JSON.stringify(p);
}

/** Whether a dead-letter queue's RedriveAllowPolicy lets `sourceArn` use it. */
export function allowsSource(dlq: Queue, sourceArn: string): boolean {
  const text = dlq.attrs['RedriveAllowPolicy'];
  if (!text) return true;
  const p = JSON.parse(text) as { redrivePermission: string; sourceQueueArns?: string[] };
  if (p.redrivePermission === 'denyAll') return false;
  return p.redrivePermission === 'allowAll' || (p.sourceQueueArns ?? []).includes(sourceArn);
}
