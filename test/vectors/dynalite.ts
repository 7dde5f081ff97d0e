/**
 * A real DynamoDB-compatible server for tests: dynalite, in-process, in memory (no LevelDB
 * files), on 127.0.0.1 with an ephemeral port; and a real SDK v3 client pointed at it.
 */
import type { AddressInfo } from 'node:net';
import { BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface Dynalite {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** An SDK client with dummy credentials and no SDK-level retries (the code under test retries). */
export function client(endpoint: string, maxAttempts = 1): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** Creates a table with castorini's key schema (word: S). */
export async function createTable(c: DynamoDBClient, name: string): Promise<void> {
  await c.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'word', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'word', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Writes items 25 at a time (straight SDK calls, for fixtures). */
export async function putItems(c: DynamoDBClient, table: string, items: Record<string, AttributeValue>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length) {
      const r = await c.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = (r.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
}

/** castorini's item: vector as a List of Numbers written like Python's str(float). */
export function castoriniItem(word: string, v: ArrayLike<number>): Record<string, AttributeValue> {
  return { word: { S: word }, vector: { L: Array.from(v, (x) => ({ N: String(x) })) } };
}
