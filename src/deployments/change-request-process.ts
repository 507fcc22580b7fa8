/**
 * The `deployment-change-request` process — deployed from PROCESSES_DIR like
 * the other reference processes, else from the shipped file at the first
 * change request — and the service-task topics it calls:
 * `apply-change-request` after an approval (applies it, or marks it approved
 * in manual mode) and `reject-change-request` otherwise. Both are idempotent:
 * a task re-run after a crash finds the request settled and changes nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/connect';
import type { DefinitionService } from '../engine/definitions/definition-service';
import { findDefinition } from '../engine/definitions/definition-store';
import type { ServiceTaskContext, ServiceTaskHandler, ServiceTaskRegistry } from '../engine/service-tasks/handler-registry';
import { ValidationError } from '../errors';
import { SYSTEM } from '../identity/actor';
import type { ChangeRequestService } from './change-request-service';
import { latestDecision } from './change-request-store';

/** The process that carries a change request's approval (shipped in `processes/`). */
export const CHANGE_REQUEST_PROCESS = 'deployment-change-request';

function changeRequestId(task: ServiceTaskContext): string {
  const id = task.input.changeRequestId ?? task.variables.changeRequestId;
  if (typeof id !== 'string' || !id) throw new ValidationError(`${task.topic} task ${task.elementId} needs the changeRequestId variable`);
  return id;
}

function settleTopic(db: Database, changeRequests: ChangeRequestService, approved: boolean): ServiceTaskHandler {
  return async (task) => {
    const decision = await latestDecision(db, task.instanceId);
    const settled = await changeRequests.settle(SYSTEM, changeRequestId(task), { approved, decidedBy: decision?.completedBy ?? null, comment: decision?.comment ?? null });
    return { changeRequestStatus: settled.status, ...(settled.error ? { changeRequestError: settled.error } : {}) };
  };
}

export function registerChangeRequestTopics(registry: ServiceTaskRegistry, db: Database, changeRequests: ChangeRequestService): void {
  registry.register('apply-change-request', settleTopic(db, changeRequests, true));
  registry.register('reject-change-request', settleTopic(db, changeRequests, false));
}

const PROCESS_FILE = path.resolve(__dirname, '..', '..', 'processes', `${CHANGE_REQUEST_PROCESS}.bpmn`);

/** Deploys the shipped process when no version of it exists (PROCESSES_DIR or the API may have supplied one). */
export async function deployChangeRequestProcess(db: Database, definitions: DefinitionService): Promise<void> {
  if (await findDefinition(db, CHANGE_REQUEST_PROCESS)) return;
  await definitions.deploy(await fs.readFile(PROCESS_FILE, 'utf8'), { fileName: path.basename(PROCESS_FILE), source: `file:${path.basename(PROCESS_FILE)}` });
}
