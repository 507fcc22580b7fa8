/**
 * An approval decision on a work item that reviews a model version (its
 * context names the version, as On Model Changed's approval tasks do) becomes
 * that version's status, so a deployment of it reports `approvalStatus:
 * approved` (SPEC §8). Written in the completing transaction, by the approver.
 */
import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit-store';
import type { ActionContext } from '../identity/actor';
import { appendStatus } from '../models/model-store';
import type { WorkItem } from './work-item';

const VERSION_STATUS: Record<string, string> = { approved: 'approved', rejected: 'rejected' };

function reviewedVersionId(item: WorkItem): string | null {
  const version = (item.context as { version?: unknown } | null)?.version;
  return version && typeof version === 'object' && typeof (version as { id?: unknown }).id === 'string' ? (version as { id: string }).id : null;
}

export async function recordVersionDecision(trx: Knex.Transaction, context: ActionContext, item: WorkItem, decision: string | null, comment: string | null): Promise<void> {
  const status = decision ? VERSION_STATUS[decision] : undefined;
  const versionId = reviewedVersionId(item);
  if (item.kind !== 'approval' || !status || !versionId) return;
  const before = await trx('model_versions').where({ id: versionId }).first('status');
  if (!before) return;
  const note = `${decision} in work item "${item.name}"${comment ? `: ${comment}` : ''}`;
  await appendStatus(trx, versionId, { status, at: new Date().toISOString(), by: context.actor?.id ?? null, comment: note });
  await recordAudit(trx, context, { action: 'model.version.status', entityType: 'model_version', entityId: versionId, before: { status: before.status }, after: { status }, comment: note });
}
