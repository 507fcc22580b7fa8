import { EventEmitter } from 'node:events';
import type { Database } from '../../db/connect';
import type { Logger } from '../../logger';
import type { ServiceTaskRegistry } from '../service-tasks/handler-registry';
import { sourceContextOf } from './engine-factory';
import { InstanceRun } from './instance-run';
import { StoredRows } from './stored-rows';
import type { InstanceStatus, RunSnapshot } from './types';
import {
  claimDueInstances,
  claimInstance,
  Creation,
  LeaseLostError,
  loadRunInput,
  releaseInstance,
  renewLeases,
  RunInput,
  StoreHooks,
  storeSnapshot,
} from './run-store';

export interface RunnerOptions {
  /** This server's name in `locked_by`; unique per process. */
  owner: string;
  leaseMs: number;
  pollIntervalMs: number;
  concurrency: number;
  retryBackoffMs: readonly number[];
  /** What other capabilities add to each stored run (work items, review items). */
  hooks?: StoreHooks;
}

/** What one stored run did to an instance (the `run` event; metrics count it). */
export interface RunReport {
  instanceId: string;
  processKey: string;
  /** The status before the run and after it. */
  before: InstanceStatus;
  after: InstanceStatus;
  /** Whether this run applied the instance's start command (its first run). */
  started: boolean;
}

/**
 * An instance whose row does not exist yet: its first run happens in the
 * request that starts it, and its first store inserts the row (Camunda's
 * start, which runs to the first wait state before the caller's commit).
 */
export interface NewInstance {
  /** The run input: the instance with no engine state and its start command (id ''). */
  input: RunInput;
  /** The row (and what goes with it, such as the audit event) the first store inserts. */
  create: Omit<Creation, 'leaseMs'>;
}

/** A new instance's run: what its first store inserts, and whom to tell once it did. */
interface FirstRun {
  create: NewInstance['create'];
  inserted(): void;
}

/** Stores the snapshots of one run (see InstanceRunner.storer). */
interface RunStorer {
  /** Whether the first store inserted the row of a new instance. */
  inserted: boolean;
  store(snapshot: RunSnapshot, release: boolean): Promise<boolean>;
}

/** After an unexpected failure an instance is retried this much later. */
const FAILED_RUN_DELAY_MS = 5000;

/**
 * Advances instances that need it (`wake_at` due) and that no other server
 * holds, a bounded number at a time. Any replica can run one; the lease in
 * PostgreSQL keeps each instance on one server at a time.
 */
export class InstanceRunner {
  /** Emits `stored` with (instanceId, status) and `run` with a RunReport after each run is stored. */
  readonly events = new EventEmitter();
  private readonly active = new Set<string>();
  /** Slots runNow holds while its claim is in flight. */
  private reserved = 0;
  /** The last poll could not claim everything due (no free slot or a full batch). */
  private saturated = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private sleeper: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  private renewal: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly registry: ServiceTaskRegistry,
    private readonly options: RunnerOptions,
    private readonly logger: Logger,
  ) {
    this.events.setMaxListeners(0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.pollLoop();
    this.renewal = setInterval(() => {
      renewLeases(this.db, [...this.active], this.options.owner, this.options.leaseMs).catch((err) =>
        this.logger.warn({ err }, 'lease renewal failed'),
      );
    }, Math.floor(this.options.leaseMs / 3));
  }

  /** Stops claiming and waits for the runs in progress to be stored. */
  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    while (this.active.size) await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.renewal) clearInterval(this.renewal);
  }

  /** Something became due (a command was queued): look now instead of at the next poll. */
  poke(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
    this.sleeper = null;
  }

  /**
   * Advances the instance here and now when it is due and free (the request that made it due
   * answers with fresh state); otherwise waits up to `timeoutMs` for whichever server has it.
   */
  async runNow(instanceId: string, timeoutMs: number): Promise<void> {
    // The slot is reserved before the claim's await, so concurrent requests cannot overfill the runner.
    if (this.running && this.active.size + this.reserved < this.options.concurrency) {
      this.reserved++;
      const claimed = await claimInstance(this.db, instanceId, this.options.owner, this.options.leaseMs)
        .catch(() => null)
        .finally(() => this.reserved--);
      if (claimed) {
        // A long service task keeps running here; the request answers after timeoutMs regardless.
        await Promise.race([this.advance(instanceId, claimed), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
        return;
      }
    }
    await this.awaitRun(instanceId, timeoutMs);
  }

  /**
   * Runs a new instance here, inserting its row with the run's first store.
   * Resolves once that store committed (the instance exists) and the run has
   * ended or `timeoutMs` passed; false when no slot was free or the run failed
   * before its first store (nothing was stored: the caller creates the row itself).
   */
  async startNew(instance: NewInstance, timeoutMs: number): Promise<boolean> {
    if (!this.running || this.active.size + this.reserved >= this.options.concurrency) return false;
    let settle!: (inserted: boolean) => void;
    const inserted = new Promise<boolean>((resolve) => (settle = resolve));
    const run = this.advance(instance.input.instance.id, instance.input, { create: instance.create, inserted: () => settle(true) });
    void run.finally(() => settle(false));
    if (!(await inserted)) return false;
    await Promise.race([run, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    return true;
  }

  /** Resolves when a run of the instance has been stored, or after `timeoutMs`. */
  awaitRun(instanceId: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const onStored = (id: string) => {
        if (id !== instanceId) return;
        clearTimeout(timer);
        this.events.off('stored', onStored);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.events.off('stored', onStored);
        resolve(false);
      }, timeoutMs);
      this.events.on('stored', onStored);
    });
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      const free = this.options.concurrency - this.active.size - this.reserved;
      let claimed: string[] = [];
      if (free > 0) {
        try {
          claimed = await claimDueInstances(this.db, this.options.owner, this.options.leaseMs, free);
        } catch (err) {
          this.logger.error({ err }, 'claiming instances failed');
        }
      }
      for (const id of claimed) void this.advance(id);
      // A full batch means more may be due: a finished run pokes the loop to claim again.
      // Otherwise sleep until the next poll or a poke (a command queued here, a run left due).
      this.saturated = free <= 0 || claimed.length === free;
      if (free <= 0 || claimed.length < free) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeper = { timer: setTimeout(resolve, ms), resolve };
    });
  }

  /**
   * Runs a claimed instance; `claimed` is its run input when the claim loaded it.
   * With `firstRun`, the instance is new and its first store inserts the row.
   */
  private async advance(id: string, claimed?: RunInput, firstRun?: FirstRun): Promise<void> {
    this.active.add(id);
    let storer: RunStorer | null = null;
    try {
      const input = claimed ?? (await loadRunInput(this.db, id));
      if (!input) return;
      storer = this.storer(input, firstRun);
      const source = await sourceContextOf(this.db, input.instance.definitionId);
      const run = new InstanceRun(input.instance, source, input.serviceTasks, {
        registry: this.registry,
        retryBackoffMs: this.options.retryBackoffMs,
        checkpoint: async (snapshot) => void (await storer!.store(snapshot, false)),
      });
      const snapshot = await run.advance(input.commands);
      const due = await storer.store(snapshot, true);
      if (due) this.poke(); // a command arrived while it ran
      this.events.emit('stored', id, snapshot.status);
      const report: RunReport = {
        instanceId: id,
        processKey: input.instance.processKey,
        before: input.instance.status,
        after: snapshot.status,
        started: input.commands.some((command) => command.type === 'start'),
      };
      this.events.emit('run', report);
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.logger.warn({ instanceId: id }, 'lease lost; another server advances the instance');
      } else {
        this.logger.error({ err, instanceId: id }, 'advancing instance failed');
        if (firstRun && !storer?.inserted) return; // never stored: the starter creates it the ordinary way
        await releaseInstance(this.db, id, this.options.owner, FAILED_RUN_DELAY_MS).catch(() => undefined);
      }
    } finally {
      this.active.delete(id);
      if (this.saturated) this.poke();
    }
  }

  /** Stores one run's snapshots; the first store of a new instance inserts its row. */
  private storer(input: RunInput, firstRun?: FirstRun): RunStorer {
    const { owner, leaseMs, hooks } = this.options;
    const known = firstRun ? new StoredRows() : undefined;
    const child = input.instance.parentInstanceId !== null;
    const storer: RunStorer = {
      inserted: false,
      store: async (snapshot, release) => {
        const create = firstRun && !storer.inserted ? { ...firstRun.create, leaseMs } : undefined;
        const due = await storeSnapshot(this.db, input.instance.id, owner, snapshot, { release, hooks, known, create, child });
        known?.stored(snapshot);
        if (create) {
          storer.inserted = true;
          firstRun!.inserted();
        }
        return due;
      },
    };
    return storer;
  }
}
