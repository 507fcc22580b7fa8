import { createHash } from 'node:crypto';
import { parse, PGlite, protocol } from '@electric-sql/pglite';
import type { Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

/* knex's client internals are untyped. */
/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * A prepared statement: the server parses and plans the text once per
 * connection and then only binds and executes it. On PostgreSQL knex hands
 * `name` to node-postgres, which prepares it per connection; on PGlite the
 * client below does the same with PGlite's protocol functions. For the hot
 * statements of the engine, whose parse and plan cost as much as running them.
 * `sql` is the query's text when the caller has it (saves compiling it twice).
 */
export function prepared<T extends Knex.Raw | Knex.QueryBuilder>(query: T, sql = query.toSQL().sql): T {
  let name = names.get(sql);
  if (!name) {
    name = `sg_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return query.options({ name }) as T;
}

/** Statement names by SQL text (a few dozen texts: the engine's statements and their CTE combinations). */
const names = new Map<string, string>();

/** The statements prepared on each connection (a transaction's client is a copy of the client: not here). */
const preparedNames = new WeakMap<PGlite, Set<string>>();

/** knex-pglite with prepared statements (`.options({ name })`, see prepared()). */
class PreparingPgLiteClientImpl extends (ClientPgLite as any) {
  async _query(connection: PGlite, obj: any): Promise<any> {
    const name: string | undefined = obj.options?.name;
    if (TRANSACTION_CONTROL.test(obj.sql) && !obj.bindings?.length) {
      // knex's BEGIN/COMMIT: PostgreSQL's simple protocol is one call into PGlite instead of five.
      obj.response = (await connection.exec(obj.sql))[0];
      return obj;
    }
    if (!name) return super._query(connection, obj);
    let onConnection = preparedNames.get(connection);
    if (!onConnection) preparedNames.set(connection, (onConnection = new Set()));
    if (!onConnection.has(name)) {
      await connection.execProtocol(concat([protocol.serialize.parse({ name, text: obj.sql, types: [] }), protocol.serialize.sync()]));
      onConnection.add(name);
    }
    const values = (obj.bindings ?? []).map(toText);
    const { messages } = await connection.execProtocol(
      concat([
        protocol.serialize.bind({ statement: name, values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
    );
    obj.response = parse.parseResults(messages, connection.parsers)[0];
    return obj;
  }
}

const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|ROLLBACK)\b[^;]*;?$/i;

/** A parameter in PostgreSQL's text format (the statement's parameter types read it). */
function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const PreparingPgLiteClient = PreparingPgLiteClientImpl as unknown as typeof ClientPgLite;
