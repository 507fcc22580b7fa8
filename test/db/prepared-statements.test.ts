import { connectDatabase, Database } from '../../src/db/connect';
import { prepared } from '../../src/db/prepared-client';
import { createTestDatabase, TestDatabase } from '../support/database';

/* Rows are untyped. */
/* eslint-disable @typescript-eslint/no-explicit-any */

describe('prepared statements (both databases)', () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = connectDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    await db.raw(`CREATE TABLE items (id serial PRIMARY KEY, name text UNIQUE NOT NULL, doc jsonb, at timestamptz, ok boolean, n bigint)`);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  const insert = `INSERT INTO items (name, doc, at, ok, n) VALUES (?, ?::jsonb, ?, ?, ?) RETURNING *`;

  it('return what the same statement returns unprepared, with the same types, when run again', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const plain = (await db.raw(insert, ['plain', JSON.stringify({ a: [1, 'x'] }), at, true, 42])).rows[0];
    const first = (await prepared(db.raw(insert, ['first', JSON.stringify({ a: [1, 'x'] }), at, true, 42]))).rows[0];
    const second = (await prepared(db.raw(insert, ['second', null, null, false, null]))).rows[0];
    const { id: _a, name: _b, ...plainValues } = plain;
    const { id: _c, name: _d, ...firstValues } = first;
    expect(firstValues).toEqual(plainValues);
    expect(first.doc).toEqual({ a: [1, 'x'] });
    expect(first.at).toEqual(at);
    expect(second).toMatchObject({ name: 'second', doc: null, at: null, ok: false, n: null });
  });

  it('work with query builders and inside transactions (a rollback undoes them)', async () => {
    const select = (name: string) => prepared(db('items').where({ name }).first('name', 'ok'));
    expect(await select('first')).toEqual({ name: 'first', ok: true });
    expect(await select('nobody')).toBeUndefined();
    await expect(
      db.transaction(async (trx) => {
        await prepared(trx.raw(insert, ['inside', null, null, null, null]));
        expect((await prepared(trx('items').where({ name: 'inside' }).first('name')))?.name).toBe('inside');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await select('inside')).toBeUndefined();
  });

  it('fail with PostgreSQL error codes, and the statement still works afterwards', async () => {
    const duplicate = await prepared(db.raw(insert, ['first', null, null, null, null])).catch((err) => err);
    expect(duplicate.code).toBe('23505');
    const badJson = await prepared(db.raw(insert, ['bad-json', '{not json', null, null, null])).catch((err) => err);
    expect(badJson.code).toBe('22P02');
    const missing = `SELECT nope FROM items WHERE id = ?`;
    for (let i = 0; i < 2; i++) expect((await prepared(db.raw(missing, [1])).catch((err) => err)).code).toBe('42703');
    expect((await prepared(db.raw(insert, ['after-errors', null, null, null, null]))).rows[0].name).toBe('after-errors');
  });
});
