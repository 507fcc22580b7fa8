import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import fs from 'node:fs/promises';
import path from 'node:path';
import { recordAudit } from '../../audit/audit-store';
import type { Database } from '../../db/connect';
import { ActionContext, SYSTEM } from '../../identity/actor';
import { ValidationError } from '../../errors';
import { validateExpression } from '../expressions';
import { findDefinition, insertDefinition, ProcessDefinition } from './definition-store';
import { validateBpmn } from './validate-bpmn';

export interface DeployOptions {
  fileName?: string;
  /** Where it came from: `file:processes/x.bpmn` or `api`. */
  source: string;
  context?: ActionContext;
}

export interface DeployResult {
  definition: ProcessDefinition;
  /** False when the content equals the latest version (nothing stored). */
  created: boolean;
}

export interface DefinitionServiceOptions {
  knownTopics: () => ReadonlySet<string>;
  allowScriptTasks: boolean;
  /** Runs inside the transaction that stored a new version (e.g. replacing its cron schedules). */
  onDeployed?: (trx: Knex.Transaction, definition: ProcessDefinition) => Promise<void>;
}

/** Deploys BPMN: validates everything first, then stores version N+1 unless the content is unchanged. */
export class DefinitionService {
  constructor(
    private readonly db: Database,
    private readonly options: DefinitionServiceOptions,
  ) {}

  async deploy(xml: string, options: DeployOptions): Promise<DeployResult> {
    const { processes, problems } = await validateBpmn(xml, {
      fileName: options.fileName,
      knownTopics: this.options.knownTopics(),
      allowScriptTasks: this.options.allowScriptTasks,
      validateExpression,
    });
    if (problems.length || !processes.length) {
      const where = options.fileName ? ` in ${options.fileName}` : '';
      throw new ValidationError(`BPMN validation failed${where}: ${problems.length} problem(s)`, { problems }, 'INVALID_BPMN');
    }
    const [process] = processes;
    const hash = createHash('sha256').update(xml).digest('hex');
    return this.db.transaction(async (trx) => {
      // Serialise deployments of one key so two concurrent deploys cannot both take N+1.
      await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`definition:${process.key}`]);
      const latest = await findDefinition(trx, process.key);
      if (latest?.hash === hash) return { definition: latest, created: false };
      const definition = await insertDefinition(trx, {
        id: crypto.randomUUID(),
        key: process.key,
        version: (latest?.version ?? 0) + 1,
        name: process.name ?? null,
        xml,
        hash,
        source: options.source,
        startEvents: {
          messages: process.messageStartNames,
          signals: process.signalStartNames,
          timerCycles: process.timerStartCycles,
        },
        deployedBy: options.context?.actor?.id ?? null,
      });
      await this.options.onDeployed?.(trx, definition);
      await recordAudit(trx, options.context ?? SYSTEM, {
        action: 'definition.deploy',
        entityType: 'process_definition',
        entityId: definition.id,
        after: { key: definition.key, version: definition.version, hash: definition.hash, source: definition.source },
      });
      return { definition, created: true };
    });
  }

  /** Deploys every `*.bpmn` of a directory (start-up); a bad file stops start-up with its problems. */
  async deployDirectory(directory: string): Promise<DeployResult[]> {
    let names: string[];
    try {
      names = (await fs.readdir(directory)).filter((name) => name.endsWith('.bpmn')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const results: DeployResult[] = [];
    for (const name of names) {
      const xml = await fs.readFile(path.join(directory, name), 'utf8');
      results.push(await this.deploy(xml, { fileName: name, source: `file:${name}` }));
    }
    return results;
  }
}
