import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand, DeleteTableCommand, DescribeContributorInsightsCommand, DynamoDBClient, ListContributorInsightsCommand, UpdateContributorInsightsCommand,
  UpdateTableCommand, type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Nimbus } from '../src/index.js';
import { aws, clientConfig, rejects, start } from './helpers.js';

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;
const RULE = /^DynamoDBContributorInsights-(PKC|SKC|PKT|SKT)-(.+)-(\d{13})$/;

describe('DynamoDB Contributor Insights', () => {
  let nimbus: Nimbus;
  let ddb: DynamoDBClient;
  before(async () => {
    nimbus = await start({ port: 0, ephemeral: true });
    ddb = new DynamoDBClient(clientConfig(nimbus));
  });
  after(() => nimbus.stop());

  /** A table keyed by pk (and sk if `sorted`), with a GSI `by-g` keyed by g alone and an LSI when sorted. */
  async function table(sorted = false): Promise<string> {
    const name = unique('ci');
    const input: CreateTableCommandInput = {
      TableName: name, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }, ...(sorted ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : [])],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(sorted ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      GlobalSecondaryIndexes: [{ IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      ...(sorted ? { LocalSecondaryIndexes: [{ IndexName: 'by-g-local', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'g', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }] } : {}),
    };
    await ddb.send(new CreateTableCommand(input));
    return name;
  }

  it('a table never configured is DISABLED, with no rules, time or mode', async () => {
    const name = await table();
    const d = await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }));
    assert.equal(d.ContributorInsightsStatus, 'DISABLED');
    assert.equal(d.TableName, name);
    assert.equal(d.ContributorInsightsRuleList, undefined);
    assert.equal(d.LastUpdateDateTime, undefined);
    assert.equal(d.ContributorInsightsMode, undefined);
  });

  it('ENABLE answers ENABLING, then the next read is ENABLED with the four rules of a table with a sort key', async () => {
    const name = await table(true);
    const up = await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'ENABLE' }));
    assert.deepEqual({ ...up, $metadata: undefined }, { $metadata: undefined, TableName: name, ContributorInsightsStatus: 'ENABLING', ContributorInsightsMode: 'ACCESSED_AND_THROTTLED_KEYS' });
    const d = await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }));
    assert.equal(d.ContributorInsightsStatus, 'ENABLED');
    assert.ok(d.LastUpdateDateTime instanceof Date);
    const epoch = RULE.exec(d.ContributorInsightsRuleList![0]!)![3];
    assert.deepEqual(d.ContributorInsightsRuleList, ['PKC', 'SKC', 'PKT', 'SKT'].map((k) => `DynamoDBContributorInsights-${k}-${name}-${epoch}`));
  });

  it('a table without a sort key has PKC and PKT; THROTTLED_KEYS keeps only PKT, with the same rule time', async () => {
    const name = await table();
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'ENABLE' }));
    const before = (await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }))).ContributorInsightsRuleList!;
    assert.deepEqual(before.map((r) => RULE.exec(r)![1]), ['PKC', 'PKT']);
    const up = await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'ENABLE', ContributorInsightsMode: 'THROTTLED_KEYS' }));
    assert.equal(up.ContributorInsightsStatus, 'ENABLING');
    const d = await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }));
    assert.equal(d.ContributorInsightsMode, 'THROTTLED_KEYS');
    assert.deepEqual(d.ContributorInsightsRuleList, [before[1]]);
    const same = await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'ENABLE', ContributorInsightsMode: 'THROTTLED_KEYS' }));
    assert.equal(same.ContributorInsightsStatus, 'ENABLED');
  });

  it('DISABLE answers DISABLING with the mode in effect, then the next read is DISABLED without rules', async () => {
    const name = await table();
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'ENABLE', ContributorInsightsMode: 'THROTTLED_KEYS' }));
    const up = await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'DISABLE', ContributorInsightsMode: 'ACCESSED_AND_THROTTLED_KEYS' }));
    assert.equal(up.ContributorInsightsStatus, 'DISABLING');
    assert.equal(up.ContributorInsightsMode, 'THROTTLED_KEYS');
    const d = await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }));
    assert.equal(d.ContributorInsightsStatus, 'DISABLED');
    assert.equal(d.ContributorInsightsRuleList, undefined);
    assert.ok(d.LastUpdateDateTime instanceof Date);
  });

  it("a GSI has its own setting, with rules named after table and index", async () => {
    const name = await table(true);
    const up = await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, IndexName: 'by-g', ContributorInsightsAction: 'ENABLE' }));
    assert.equal(up.IndexName, 'by-g');
    const d = await ddb.send(new DescribeContributorInsightsCommand({ TableName: name, IndexName: 'by-g' }));
    assert.equal(d.ContributorInsightsStatus, 'ENABLED');
    assert.deepEqual(d.ContributorInsightsRuleList!.map((r) => RULE.exec(r)!.slice(1, 3)), [['PKC', `${name}-by-g`], ['PKT', `${name}-by-g`]]);
    assert.equal((await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }))).ContributorInsightsStatus, 'DISABLED');
  });

  it('a missing table, a missing index or an LSI is ResourceNotFoundException', async () => {
    const missing = await rejects(ddb.send(new UpdateContributorInsightsCommand({ TableName: 'no-such-table', ContributorInsightsAction: 'ENABLE' })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(missing.message, 'Requested resource not found: Table: no-such-table not found');
    assert.equal(missing.$metadata.httpStatusCode, 400);
    assert.equal((await rejects(ddb.send(new DescribeContributorInsightsCommand({ TableName: 'no-such-table' })))).name, 'ResourceNotFoundException');
    assert.equal((await rejects(ddb.send(new ListContributorInsightsCommand({ TableName: 'no-such-table' })))).name, 'ResourceNotFoundException');
    const name = await table(true);
    for (const index of ['nope', 'by-g-local']) {
      const err = await rejects(ddb.send(new DescribeContributorInsightsCommand({ TableName: name, IndexName: index })));
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.message, `Requested resource not found: Index: ${index} not found for table: ${name}`);
    }
    const update = await rejects(ddb.send(new UpdateContributorInsightsCommand({ TableName: name, IndexName: 'nope', ContributorInsightsAction: 'ENABLE' })));
    assert.equal(update.name, 'ResourceNotFoundException');
  });

  it('ListContributorInsights lists enabled settings, a table before its index, filters by table and pages', async () => {
    const a = await table();
    const b = await table();
    const off = await table();
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: a, IndexName: 'by-g', ContributorInsightsAction: 'ENABLE' }));
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: a, ContributorInsightsAction: 'ENABLE' }));
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: b, ContributorInsightsAction: 'ENABLE', ContributorInsightsMode: 'THROTTLED_KEYS' }));
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: off, ContributorInsightsAction: 'ENABLE' }));
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: off, ContributorInsightsAction: 'DISABLE' }));
    const mine = new Set([a, b, off]);
    const all = (await ddb.send(new ListContributorInsightsCommand({}))).ContributorInsightsSummaries!.filter((s) => mine.has(s.TableName!));
    assert.deepEqual(all, [
      { TableName: a, ContributorInsightsStatus: 'ENABLED', ContributorInsightsMode: 'ACCESSED_AND_THROTTLED_KEYS' },
      { TableName: a, IndexName: 'by-g', ContributorInsightsStatus: 'ENABLED', ContributorInsightsMode: 'ACCESSED_AND_THROTTLED_KEYS' },
      { TableName: b, ContributorInsightsStatus: 'ENABLED', ContributorInsightsMode: 'THROTTLED_KEYS' },
    ]);
    const onlyB = await ddb.send(new ListContributorInsightsCommand({ TableName: b }));
    assert.deepEqual(onlyB.ContributorInsightsSummaries!.map((s) => s.TableName), [b]);
    const first = await ddb.send(new ListContributorInsightsCommand({ TableName: a, MaxResults: 1 }));
    assert.equal(first.ContributorInsightsSummaries!.length, 1);
    assert.ok(first.NextToken);
    const second = await ddb.send(new ListContributorInsightsCommand({ TableName: a, MaxResults: 1, NextToken: first.NextToken }));
    assert.deepEqual(second.ContributorInsightsSummaries!.map((s) => s.IndexName), ['by-g']);
    assert.equal(second.NextToken, undefined);
    const tooMany = await rejects(ddb.send(new ListContributorInsightsCommand({ MaxResults: 101 })));
    assert.equal(tooMany.name, 'ValidationException');
  });

  it('deleting the index or the table removes its settings', async () => {
    const name = await table();
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, IndexName: 'by-g', ContributorInsightsAction: 'ENABLE' }));
    await ddb.send(new UpdateContributorInsightsCommand({ TableName: name, ContributorInsightsAction: 'ENABLE' }));
    await ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-g' } }] }));
    assert.deepEqual((await ddb.send(new ListContributorInsightsCommand({ TableName: name }))).ContributorInsightsSummaries!.map((s) => s.IndexName), [undefined]);
    await ddb.send(new DeleteTableCommand({ TableName: name }));
    await ddb.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    assert.equal((await ddb.send(new DescribeContributorInsightsCommand({ TableName: name }))).ContributorInsightsStatus, 'DISABLED');
  });

  it('the AWS CLI enables insights and describes them', async () => {
    const name = await table();
    const up = await aws(nimbus, ['dynamodb', 'update-contributor-insights', '--table-name', name, '--contributor-insights-action', 'ENABLE']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.json.ContributorInsightsStatus, 'ENABLING');
    const d = await aws(nimbus, ['dynamodb', 'describe-contributor-insights', '--table-name', name]);
    assert.equal(d.json.ContributorInsightsStatus, 'ENABLED');
    assert.equal(d.json.ContributorInsightsRuleList.length, 2);
    const missing = await aws(nimbus, ['dynamodb', 'describe-contributor-insights', '--table-name', name, '--index-name', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException.*Index: nope not found/);
  });
});
