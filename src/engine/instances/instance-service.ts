import type { Database } from '../../db/connect';
import { ConflictError, NotFoundError } from '../../errors';
import { findDefinition } from '../definitions/definition-store';
import type { InstanceRunner } from '../runtime/instance-runner';
import { queueCommand } from '../runtime/run-store';
import type { CommandInput, Variables } from '../runtime/types';

export interface StartRequest {
  key: string;
  version?: number;
  businessKey?: string | null;
  variables?: Variables;
  startedBy?: string | null;
}

const TERMINAL = ['completed', 'cancelled', 'failed'];

/** How long a request waits for the instance's first run before answering anyway. */
const ANSWER_WAIT_MS = 2000;

/**
 * Starts, cancels and signals instances. Nothing here runs the engine: it
 * queues commands, and the runner (on this or another server) applies them.
 */
export class InstanceService {
  constructor(
    private readonly db: Database,
    private readonly runner: InstanceRunner,
  ) {}

  /** Creates an instance of the latest (or a given) version and waits briefly for its first run. */
  async start(request: StartRequest, extraCommand?: CommandInput): Promise<string> {
    const id = await this.create(request, extraCommand);
    await this.runNow(id);
    return id;
  }

  /** Creates the instance row and its start command in one transaction. */
  async create(request: StartRequest, extraCommand?: CommandInput): Promise<string> {
    const definition = await findDefinition(this.db, request.key, request.version);
    if (!definition) {
      throw new NotFoundError('process definition', request.version ? `${request.key} v${request.version}` : request.key);
    }
    const id = crypto.randomUUID();
    await this.db.transaction(async (trx) => {
      await trx('process_instances').insert({
        id,
        definition_id: definition.id,
        process_key: definition.key,
        definition_version: definition.version,
        business_key: request.businessKey ?? null,
        status: 'running',
        variables: JSON.stringify(request.variables ?? {}),
        started_by: request.startedBy ?? null,
        wake_at: trx.fn.now(),
      });
      await queueCommand(trx, id, { type: 'start', payload: { variables: request.variables ?? {} } });
      if (extraCommand) await queueCommand(trx, id, extraCommand);
    });
    return id;
  }

  /** Cancels a running instance: its work items, external tasks and timers go with it. */
  async cancel(id: string, actor: string | null, reason?: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await trx('process_instances').where({ id }).forUpdate().first('status');
      if (!row) throw new NotFoundError('process instance', id);
      if (TERMINAL.includes(row.status)) throw new ConflictError(`process instance ${id} is already ${row.status}`);
      await queueCommand(trx, id, { type: 'cancel', payload: { actor, reason } });
    });
    await this.runNow(id);
  }

  /** Queues a command for a live instance; false when the instance has ended. */
  async send(id: string, command: CommandInput): Promise<void> {
    await this.db.transaction((trx) => queueCommand(trx, id, command));
    this.runner.poke();
  }

  /** Pokes the runner and waits a moment for the instance's run, so answers show fresh state. */
  async runNow(id: string): Promise<void> {
    const stored = this.runner.awaitRun(id, ANSWER_WAIT_MS);
    this.runner.poke();
    await stored;
  }
}
