/**
 * TINYCNN_VECTOR_STORE=dynamodb from the zip: index.mjs requires dynamodb.cjs, which requires the
 * AWS SDK the way the Lambda runtime provides it (NODE_PATH, not bundled), and reads castorini's
 * table layout from a real DynamoDB-compatible server (dynalite on loopback). The answers equal
 * those of the embedded vectors holding the same words; a table that does not exist is a 5xx
 * JSON error, never a crash.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedStore } from '../../src/node/files.js';
import { encodeItem } from '../../src/vectors/item.js';
import { packaged, ROOT, stable, type Packaged } from './packaged.js';

const SENTENCES = ['this is a very good movie', 'the plot is thin and the acting is worse'];
const PAIR = { sent1: 'who wrote the book', sent2: 'the book was written by a young author' };

let pkg: Packaged;
let server: ReturnType<typeof dynalite>;
let endpoint: string;

beforeAll(async () => {
  pkg = await packaged();
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  // castorini's tables, holding the embedded vectors of the words used below
  for (const [table, file, texts] of [
    ['word2vec300d', 'weights/kim-sst2.tcv', SENTENCES],
    ['word2vec50d', 'weights/sm-trecqa.tcv', [PAIR.sent1, PAIR.sent2]],
  ] as const) {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'word', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'word', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const store = openEmbeddedStore(join(ROOT, file));
    const words = [...new Set(texts.join(' ').split(' '))].filter((w) => store.has(w));
    const items = words.map((w) => ({ PutRequest: { Item: encodeItem(w, store.vectorAt(store.indexOf(w)), 'list') } }));
    for (let i = 0; i < items.length; i += 25) await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25) } }));
  }
  client.destroy();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  pkg.remove();
});

/** The environment of a function whose runtime provides the SDK (Lambda: NODE_PATH=/var/runtime/node_modules). */
function dynamoEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    TINYCNN_VECTOR_STORE: 'dynamodb',
    TINYCNN_DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    NODE_PATH: join(ROOT, 'node_modules'),
    ...extra,
  };
}

describe('the packaged handler on DynamoDB vectors', () => {
  it("answers like the embedded vectors with the same words (castorini's List layout)", async () => {
    const events = [...SENTENCES.map((input) => ({ input })), PAIR, { inputs: SENTENCES }];
    const fromTable = await pkg.run({ mode: 'events', events }, dynamoEnv());
    const embedded = await pkg.run({ mode: 'events', events });
    for (const answer of fromTable.answers) expect(answer.statusCode).toBe(200);
    expect(fromTable.answers.map(stable)).toEqual(embedded.answers.map(stable));
  });

  it('a missing table is a JSON 5xx answer, and the function keeps serving', async () => {
    const result = await pkg.run(
      { mode: 'events', events: [{ input: 'good' }, { input: 'good' }] },
      dynamoEnv({ TINYCNN_MODEL: 'kim', TINYCNN_DYNAMODB_TABLE: 'no-such-table', TINYCNN_DYNAMODB_DEADLINE_MS: '2000' }),
    );
    for (const answer of result.answers) {
      expect(answer.statusCode).toBeGreaterThanOrEqual(500);
      const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
      expect(body.error.message).not.toContain('no-such-table');
    }
  });
});
