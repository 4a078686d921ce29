import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './test-db';

describe('createTestDatabase', () => {
  let a: TestDatabase;
  let b: TestDatabase;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase('isolation-a'), createTestDatabase('isolation-b')]);
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('gives each caller its own migrated database', async () => {
    expect(a.url).not.toBe(b.url);
    await a.db.workspace.create({ data: { name: 'Only in A', slug: 'only-in-a' } });

    expect(await a.db.workspace.findMany({ select: { slug: true } })).toEqual([{ slug: 'only-in-a' }]);
    expect(await b.db.workspace.count()).toBe(0);

    // The same unique slug does not collide across databases.
    await b.db.workspace.create({ data: { name: 'Also in B', slug: 'only-in-a' } });
    expect(await b.db.workspace.count()).toBe(1);
    expect(await a.db.workspace.count()).toBe(1);
  });

  it('drop() removes the database', async () => {
    const c = await createTestDatabase('isolation-c');
    const name = new URL(c.url).pathname.slice(1);
    await c.db.workspace.count();
    await c.drop();
    const left = await a.db.$queryRaw<unknown[]>`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    expect(left).toEqual([]);
  });

  it('hands out distinct Redis key prefixes', () => {
    expect(testQueuePrefix('x')).not.toBe(testQueuePrefix('x'));
  });
});
