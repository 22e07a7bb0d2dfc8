import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { loop, row, startServer, TABLE_HEAD, type LoadResult, type Server } from './lib.js';

/** The large table: a million items in partitions of 100, so a 100-item Query reads one partition. */
const BIG_ITEMS = 1_000_000;
const PER_PARTITION = 100;
/** dynalite fills far more slowly; it gets this long and is measured at whatever size it reached. */
const DYNALITE_FILL_SECONDS = 60;
const WARM_UP_SECONDS = 4;

const keySchema = {
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }, { AttributeName: 'sk', AttributeType: 'N' as const }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }, { AttributeName: 'sk', KeyType: 'RANGE' as const }],
};

const bigItem = (i: number) => ({ pk: { S: `p${Math.floor(i / PER_PARTITION)}` }, sk: { N: String(i % PER_PARTITION) }, v: { S: 'x'.repeat(100) } });

/** SHA-256 and HMAC from node:crypto for the signer (the SDK's pure-JS one would be the bottleneck). */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256')
      : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret instanceof ArrayBuffer ? new Uint8Array(secret) : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)));
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not reusable');
  }
}

/**
 * Writes items 0..count-1 with BatchWriteItem (25 a call) from 16 concurrent loops, retrying
 * UnprocessedItems, until done or `budgetSeconds` have passed. Each call is signed with SigV4
 * like the SDK's, but built from a string, so the load generator keeps up with the server.
 * Returns how many items are stored.
 */
async function fill(port: number, table: string, count: number, budgetSeconds: number): Promise<{ items: number; seconds: number }> {
  const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const post = async (body: string): Promise<{ UnprocessedItems?: Record<string, unknown[]> }> => {
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/', query: {}, body,
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.BatchWriteItem' },
    });
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { ...signed.headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString()) as { UnprocessedItems?: Record<string, unknown[]> })
          : reject(new Error(`BatchWriteItem answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  const t0 = performance.now();
  let next = 0;
  let written = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count && performance.now() - t0 < budgetSeconds * 1000) {
      const start = next;
      const end = Math.min(count, start + 25);
      next = end;
      let requests: Record<string, unknown[]> = { [table]: Array.from({ length: end - start }, (_, j) => ({ PutRequest: { Item: bigItem(start + j) } })) };
      while (Object.keys(requests).length > 0) requests = (await post(JSON.stringify({ RequestItems: requests }))).UnprocessedItems ?? {};
      written += end - start;
    }
  }));
  agent.destroy();
  return { items: Math.min(written, count), seconds: (performance.now() - t0) / 1000 };
}

interface Measured {
  empty: Map<string, LoadResult>;
  big: Map<string, LoadResult>;
  bigItems: number;
  fillSeconds: number;
}

const LOADS = ['PutItem', 'GetItem', 'Query 100 items'] as const;
const random = (n: number) => Math.floor(Math.random() * n);

async function measureServer(server: Server, seconds: number, fillBudget: number): Promise<Measured> {
  const ddb = new DynamoDBClient(config(server.port));
  await ddb.send(new CreateTableCommand({ TableName: 'bench', ...keySchema }));
  await ddb.send(new CreateTableCommand({ TableName: 'big', ...keySchema }));
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 200; i++) await ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: 'page' }, sk: { N: String(i) }, v: { S: 'x'.repeat(100) } } }));
  // Steady state, not JIT warm-up, is compared: the large table is filled first (tens of thousands
  // of requests through the whole pipeline), then each load runs a while before anything is measured,
  // so the empty and the large table are measured in the same state.
  const { items, seconds: fillSeconds } = await fill(server.port, 'big', BIG_ITEMS, fillBudget);
  let w = 0;
  await loop(server, () => ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: `w${w++ % 5000}` }, sk: { N: '1' }, v: { S: 'x'.repeat(100) } } })), 16, WARM_UP_SECONDS);
  await loop(server, () => ddb.send(new GetItemCommand({ TableName: 'bench', Key: { pk: { S: `w${w++ % 5000}` }, sk: { N: '1' } } })), 16, WARM_UP_SECONDS);
  await loop(server, () => ddb.send(new QueryCommand({ TableName: 'bench', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'page' } }, Limit: 100 })), 16, WARM_UP_SECONDS);
  const empty = new Map<string, LoadResult>();
  for (const c of [1, 16]) {
    let i = 0;
    empty.set(`PutItem, c=${c}`, await measure(server, () => ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: `k${i++ % 5000}` }, sk: { N: '1' }, v: { S: 'x'.repeat(100) } } })), c, seconds));
    empty.set(`GetItem, c=${c}`, await measure(server, () => ddb.send(new GetItemCommand({ TableName: 'bench', Key: { pk: { S: `k${i++ % 1000}` }, sk: { N: '1' } } })), c, seconds));
    empty.set(`Query 100 items, c=${c}`, await measure(server, () => ddb.send(new QueryCommand({ TableName: 'bench', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'page' } }, Limit: 100 })), c, seconds));
  }
  // Every load on the big table touches items spread over all of it, not a hot few.
  const partitions = Math.floor(items / PER_PARTITION);
  const big = new Map<string, LoadResult>();
  for (const c of [1, 16]) {
    big.set(`PutItem, c=${c}`, await measure(server, () => ddb.send(new PutItemCommand({ TableName: 'big', Item: bigItem(random(partitions * PER_PARTITION)) })), c, seconds));
    big.set(`GetItem, c=${c}`, await measure(server, () => ddb.send(new GetItemCommand({ TableName: 'big', Key: { pk: { S: `p${random(partitions)}` }, sk: { N: String(random(PER_PARTITION)) } } })), c, seconds));
    big.set(`Query 100 items, c=${c}`, await measure(server, () => ddb.send(new QueryCommand({ TableName: 'big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: `p${random(partitions)}` } }, Limit: 100 })), c, seconds));
  }
  return { empty, big, bigItems: items, fillSeconds };
}

export async function dynamodbBench(seconds: number): Promise<string[]> {
  const dynalite = await startServer([new URL('../../node_modules/dynalite/cli.js', import.meta.url).pathname, '--port', '{port}', '--createTableMs', '0'],
    async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status > 0);
  const d = await measureServer(dynalite, seconds, DYNALITE_FILL_SECONDS);
  await dynalite.stop();
  const nimbus = await startNimbusProcess();
  const n = await measureServer(nimbus, seconds, Infinity);
  await nimbus.stop();

  const count = (items: number) => (items >= 1_000_000 ? `${items / 1_000_000}M` : `${Math.round(items / 1000)}k`);
  const rows: Row[] = [];
  for (const [label, results] of [['empty table', 'empty'], [`${count(n.bigItems)}-item table`, 'big']] as const) {
    for (const c of [1, 16]) {
      for (const load of LOADS) {
        const key = `${load}, c=${c}`;
        const dLabel = results === 'big' ? `${count(d.bigItems)}-item table` : label;
        rows.push([`dynalite ${load}, ${dLabel}, c=${c}`, d[results].get(key)!]);
        rows.push([`Nimbus ${load}, ${label}, c=${c}`, n[results].get(key)!, d[results].get(key)!]);
      }
    }
  }
  const flat = LOADS.flatMap((load) => [1, 16].map((c) => {
    const key = `${load}, c=${c}`;
    const [e, b] = [n.empty.get(key)!, n.big.get(key)!];
    return `| ${load}, c=${c} | ${e.cpuUsPerReq.toFixed(1)} | ${b.cpuUsPerReq.toFixed(1)} | ${(b.cpuUsPerReq / e.cpuUsPerReq).toFixed(2)}x |`;
  }));
  const rate = (m: Measured) => `${count(m.bigItems)} items in ${m.fillSeconds.toFixed(0)} s (${Math.round(m.bigItems / m.fillSeconds)} items/s)`;
  return ['## DynamoDB, against dynalite', '', TABLE_HEAD.replace('vs bare', 'vs dynalite'), ...rows.map(([name, r, b]) => row(name, r, b)), '',
    'Target: server CPU per PutItem and GetItem at most half of dynalite\'s (ratio ≤ 0.5).', '',
    `The "empty" table holds the 200-item Query partition and the few thousand items the PutItem loads write. The large table was filled by SigV4-signed BatchWriteItem calls (25 items each) from 16 concurrent loops: Nimbus stored ${rate(n)}; dynalite, given ${DYNALITE_FILL_SECONDS} s, stored ${rate(d)}${d.bigItems < BIG_ITEMS ? ', so its large-table rows are measured at that size, not at 1M' : ''}. Loads on it pick keys and partitions at random across the whole table.`, '',
    `Nimbus, server CPU µs/req on an empty table and on the ${count(n.bigItems)}-item table (target: flat):`, '',
    '| load | empty table | large table | large / empty |', '|---|---|---|---|', ...flat, ''];
}
