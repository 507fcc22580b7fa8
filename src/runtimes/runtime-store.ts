/**
 * SQL for `runtimes`.
 *
 * Glossary
 * - runtime: a place where deployed models run. `embedded`: Stagegate scores
 *   the model itself; `http`: an external model server that receives the
 *   artifact and answers predictions (protocol in `runtime-client.ts`).
 * - tags: a stage (`dev`, `prod`, ...) and service tags; the `deploy` topic
 *   picks a runtime whose tags include every required one.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/connect';

export type RuntimeKind = 'embedded' | 'http';

export interface Runtime {
  id: string;
  name: string;
  kind: RuntimeKind;
  url: string | null;
  tags: string[];
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Db = Database | Knex.Transaction;

const toRuntime = (row: Record<string, any>): Runtime => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  url: row.url,
  tags: row.tags,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

export async function insertRuntime(db: Db, runtime: Omit<Runtime, 'createdAt' | 'updatedAt'>): Promise<Runtime> {
  const [row] = await db('runtimes')
    .insert({ id: runtime.id, name: runtime.name, kind: runtime.kind, url: runtime.url, tags: JSON.stringify(runtime.tags), created_by: runtime.createdBy })
    .returning('*');
  return toRuntime(row);
}

export async function findRuntime(db: Db, id: string, forUpdate = false): Promise<Runtime | null> {
  const query = db('runtimes').where({ id });
  if (forUpdate) query.forUpdate();
  const row = await query.first();
  return row ? toRuntime(row) : null;
}

export async function listRuntimes(db: Db, filter: { tags?: string[] } = {}): Promise<Runtime[]> {
  const query = db('runtimes').orderBy('name');
  // jsonb containment: every required tag is among the runtime's tags.
  if (filter.tags && filter.tags.length > 0) query.whereRaw('tags @> ?::jsonb', [JSON.stringify(filter.tags)]);
  return (await query.select('*')).map(toRuntime);
}

export async function updateRuntime(db: Db, id: string, changes: Partial<Pick<Runtime, 'name' | 'url' | 'tags'>>): Promise<Runtime> {
  const [row] = await db('runtimes')
    .where({ id })
    .update({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.tags !== undefined ? { tags: JSON.stringify(changes.tags) } : {}),
      updated_at: db.fn.now(),
    })
    .returning('*');
  return toRuntime(row);
}

export async function deleteRuntime(db: Db, id: string): Promise<void> {
  await db('runtimes').where({ id }).del();
}

export async function countDeploymentsOn(db: Db, runtimeId: string): Promise<number> {
  const [{ count }] = await db('deployments').where({ runtime_id: runtimeId }).count({ count: '*' });
  return Number(count);
}
