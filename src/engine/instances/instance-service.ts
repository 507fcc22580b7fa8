import type { Knex } from 'knex';
import { auditRow, recordAudit, type AuditEntry } from '../../audit/audit-store';
import type { Database } from '../../db/connect';
import type { ActionContext } from '../../identity/actor';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { findDefinition } from '../definitions/definition-store';
import { chooseStartEvents, startEventsOf, type StartTrigger } from '../definitions/start-events';
import type { InstanceRunner, NewInstance } from '../runtime/instance-runner';
import { queueCommand } from '../runtime/run-store';
import { insertCommand } from '../runtime/run-store-commands';
import type { Command, CommandInput, Variables } from '../runtime/types';

export interface StartRequest {
  key: string;
  version?: number;
  businessKey?: string | null;
  variables?: Variables;
  /** What starts it (default manual: the none start event); decides the start event. */
  trigger?: StartTrigger;
}

const TERMINAL = ['completed', 'cancelled', 'failed'];

/** The first run of a new instance: its row and audit event are inserted with the run's first store. */
function newInstance(start: PreparedStart, audit: Record<string, Knex.Value>): NewInstance {
  const { id, process_key: processKey, business_key: businessKey, definition_id: definitionId } = start.row;
  return {
    input: {
      instance: { id, processKey, businessKey, definitionId, engineState: null, status: 'running', parentInstanceId: null },
      commands: [{ id: '', ...start.command }],
      serviceTasks: [],
    },
    create: { instance: start.row, rows: [{ table: 'audit_events', values: audit }] },
  };
}

/** A new instance's row and start command, before anything is stored. */
interface PreparedStart {
  row: { id: string; definition_id: string; process_key: string; definition_version: number; business_key: string | null; variables: string; started_by: string | null };
  command: { type: 'start'; payload: Extract<Command, { type: 'start' }>['payload'] };
}

/** How long a request waits for the instance's first run before answering anyway. */
const ANSWER_WAIT_MS = 2000;

/**
 * Starts, cancels and signals instances. Nothing here runs the engine: it
 * queues commands, which the runner (on this or another server) applies, or
 * hands a new instance to this server's runner for its first run.
 */
export class InstanceService {
  constructor(
    private readonly db: Database,
    private readonly runner: InstanceRunner,
  ) {}

  /**
   * Creates an instance of the latest (or a given) version and waits briefly for its first run.
   * With a free runner slot the first run happens here and its first store inserts the row,
   * audit included; otherwise the row and its start command are stored for the runner.
   */
  async start(context: ActionContext, request: StartRequest): Promise<string> {
    const start = await this.prepare(this.db, request, context);
    const audit: AuditEntry = {
      action: 'instance.start',
      entityType: 'process_instance',
      entityId: start.row.id,
      after: { processKey: request.key, version: request.version ?? 'latest', businessKey: request.businessKey ?? null, variables: request.variables ?? {} },
    };
    const { id } = start.row;
    if (await this.runner.startNew(newInstance(start, auditRow(context, audit)), ANSWER_WAIT_MS)) return id;
    await this.db.transaction(async (trx) => {
      await this.store(trx, start);
      await recordAudit(trx, context, audit);
    });
    await this.runNow(id);
    return id;
  }

  /** Creates the instance row and its start command inside the caller's transaction (the caller audits). */
  async create(trx: Knex.Transaction, context: ActionContext, request: StartRequest, extraCommand?: CommandInput): Promise<string> {
    const start = await this.prepare(trx, request, context);
    await this.store(trx, start, extraCommand);
    this.runner.poke();
    return start.row.id;
  }

  /** The row of a new instance, due at once, and its start command. */
  private async prepare(db: Database | Knex.Transaction, request: StartRequest, context?: ActionContext): Promise<PreparedStart> {
    const definition = await findDefinition(db, request.key, request.version);
    if (!definition) {
      throw new NotFoundError('process definition', request.version ? `${request.key} v${request.version}` : request.key);
    }
    const startEventIds = await this.startEventIds(db, definition.id, definition.key, request.trigger ?? { kind: 'manual' });
    const row = {
      id: crypto.randomUUID(),
      definition_id: definition.id,
      process_key: definition.key,
      definition_version: definition.version,
      business_key: request.businessKey ?? null,
      variables: JSON.stringify(request.variables ?? {}),
      started_by: context?.actor?.id ?? null,
    };
    return { row, command: { type: 'start', payload: { variables: request.variables ?? {}, ...(startEventIds && { startEventIds }) } } };
  }

  private async store(trx: Knex.Transaction, start: PreparedStart, extraCommand?: CommandInput): Promise<void> {
    await trx('process_instances').insert({ ...start.row, status: 'running', wake_at: trx.fn.now() });
    await insertCommand(trx, start.row.id, start.command);
    if (extraCommand) await insertCommand(trx, start.row.id, extraCommand);
  }

  /** The start events the trigger starts at (null: all of them, the engine's default). */
  private async startEventIds(db: Database | Knex.Transaction, definitionId: string, key: string, trigger: StartTrigger): Promise<string[] | null> {
    const events = await startEventsOf(definitionId, async () => (await db('process_definitions').where({ id: definitionId }).first('xml')).xml);
    const chosen = chooseStartEvents(events, trigger);
    if (trigger.kind === 'start-event' && !chosen) throw new ValidationError(`process ${key} has no start event ${trigger.id}`);
    return chosen;
  }

  /** Cancels a running instance: its work items, external tasks and timers go with it. */
  async cancel(context: ActionContext, id: string, reason?: string): Promise<void> {
    await this.db.transaction((trx) => this.cancelIn(trx, context, id, reason));
    await this.runNow(id);
  }

  /** The cancellation inside the caller's transaction. */
  async cancelIn(trx: Knex.Transaction, context: ActionContext, id: string, reason?: string): Promise<void> {
    const row = await trx('process_instances').where({ id }).forUpdate().first('status');
    if (!row) throw new NotFoundError('process instance', id);
    if (TERMINAL.includes(row.status)) throw new ConflictError(`process instance ${id} is already ${row.status}`);
    await queueCommand(trx, id, { type: 'cancel', payload: { actor: context.actor?.id ?? null, reason } });
    await recordAudit(trx, context, { action: 'instance.cancel', entityType: 'process_instance', entityId: id, before: { status: row.status }, comment: reason });
  }

  /** Queues a command for an instance inside the caller's transaction (a no-op for an ended one). */
  async send(trx: Knex.Transaction, id: string, command: CommandInput): Promise<void> {
    await queueCommand(trx, id, command);
    this.runner.poke();
  }

  /** Advances the instance now (or waits a moment for the server that has it), so answers show fresh state. */
  async runNow(id: string): Promise<void> {
    await this.runner.runNow(id, ANSWER_WAIT_MS);
  }
}
