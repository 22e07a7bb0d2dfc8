import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { config, measure, type Row } from './clients.js';
import { startNimbusProcess } from './core.js';
import { row, startServer, TABLE_HEAD } from './lib.js';

export async function dynamodbBench(seconds: number): Promise<string[]> {
  const nimbus = await startNimbusProcess();
  const dynalite = await startServer([new URL('../../node_modules/dynalite/cli.js', import.meta.url).pathname, '--port', '{port}', '--createTableMs', '0'],
    async (port) => (await fetch(`http://127.0.0.1:${port}/`)).status > 0);
  const rows: Row[] = [];
  for (const [name, server] of [['dynalite', dynalite], ['Nimbus', nimbus]] as const) {
    const ddb = new DynamoDBClient(config(server.port));
    await ddb.send(new CreateTableCommand({
      TableName: 'bench', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 200; i++) await ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: 'page' }, sk: { N: String(i) }, v: { S: 'x'.repeat(100) } } }));
    const base = (label: string) => (name === 'Nimbus' ? rows.find(([n]) => n === `dynalite ${label}`)?.[1] : undefined);
    for (const c of [1, 16]) {
      let i = 0;
      rows.push([`${name} PutItem, c=${c}`, await measure(server, () => ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: `k${i++ % 5000}` }, sk: { N: '1' }, v: { S: 'x'.repeat(100) } } })), c, seconds), base(`PutItem, c=${c}`)]);
      rows.push([`${name} GetItem, c=${c}`, await measure(server, () => ddb.send(new GetItemCommand({ TableName: 'bench', Key: { pk: { S: `k${i++ % 1000}` }, sk: { N: '1' } } })), c, seconds), base(`GetItem, c=${c}`)]);
      rows.push([`${name} Query 100 items, c=${c}`, await measure(server, () => ddb.send(new QueryCommand({ TableName: 'bench', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'page' } }, Limit: 100 })), c, seconds), base(`Query 100 items, c=${c}`)]);
    }
  }
  await nimbus.stop();
  await dynalite.stop();
  return ['## DynamoDB, against dynalite', '', TABLE_HEAD.replace('vs bare', 'vs dynalite'), ...rows.map(([n, r, b]) => row(n, r, b)), '',
    'Target: server CPU per PutItem and GetItem at most half of dynalite\'s (ratio ≤ 0.5).', ''];
}
