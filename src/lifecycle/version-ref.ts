/** A model version by its id: the deployments name versions by id, the ML topics by number. */
import type { Database } from '../db/connect';
import { NotFoundError } from '../errors';

export interface VersionRef {
  versionId: string;
  modelId: string;
  versionNumber: number;
}

export async function versionRef(db: Database, versionId: string): Promise<VersionRef> {
  const row = await db('model_versions').where({ id: versionId }).first('id', 'model_id', 'number');
  if (!row) throw new NotFoundError('model version', versionId);
  return { versionId: row.id, modelId: row.model_id, versionNumber: row.number };
}
