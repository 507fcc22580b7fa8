/** SQL for `process_definitions`. */
import type { Knex } from 'knex';
import type { Database } from '../../db/connect';
import { prepared } from '../../db/prepared-client';

export interface StartEvents {
  messages: string[];
  signals: string[];
  timerCycles: string[];
}

export interface ProcessDefinition {
  id: string;
  key: string;
  version: number;
  name: string | null;
  hash: string;
  source: string;
  startEvents: StartEvents;
  deployedBy: string | null;
  deployedAt: Date;
}

const COLUMNS = ['id', 'key', 'version', 'name', 'hash', 'source', 'start_events', 'deployed_by', 'deployed_at'];

function toDefinition(row: Record<string, any>): ProcessDefinition {
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    name: row.name,
    hash: row.hash,
    source: row.source,
    startEvents: row.start_events,
    deployedBy: row.deployed_by,
    deployedAt: new Date(row.deployed_at),
  };
}

/** The latest version of a key, or a given version. */
export async function findDefinition(
  db: Database | Knex.Transaction,
  key: string,
  version?: number,
): Promise<ProcessDefinition | null> {
  const query = db('process_definitions').where({ key }).select(COLUMNS);
  const row = await prepared(version === undefined ? query.orderBy('version', 'desc').first() : query.andWhere({ version }).first());
  return row ? toDefinition(row) : null;
}

export async function findDefinitionXml(db: Database, key: string, version?: number): Promise<string | null> {
  const query = db('process_definitions').where({ key });
  const row =
    version === undefined ? await query.orderBy('version', 'desc').first('xml') : await query.andWhere({ version }).first('xml');
  return row ? row.xml : null;
}

/** The latest version of every key. */
export async function listLatestDefinitions(db: Database | Knex.Transaction): Promise<ProcessDefinition[]> {
  const rows = await db('process_definitions as d')
    .whereRaw('d.version = (SELECT max(version) FROM process_definitions WHERE key = d.key)')
    .orderBy('d.key')
    .select(COLUMNS.map((c) => `d.${c}`));
  return rows.map(toDefinition);
}

export async function listVersions(db: Database, key: string): Promise<ProcessDefinition[]> {
  const rows = await db('process_definitions').where({ key }).orderBy('version', 'desc').select(COLUMNS);
  return rows.map(toDefinition);
}

export async function insertDefinition(
  trx: Knex.Transaction,
  definition: Omit<ProcessDefinition, 'deployedAt'> & { xml: string },
): Promise<ProcessDefinition> {
  const [row] = await trx('process_definitions')
    .insert({
      id: definition.id,
      key: definition.key,
      version: definition.version,
      name: definition.name,
      xml: definition.xml,
      hash: definition.hash,
      source: definition.source,
      start_events: JSON.stringify(definition.startEvents),
      deployed_by: definition.deployedBy,
    })
    .returning(COLUMNS);
  return toDefinition(row);
}
