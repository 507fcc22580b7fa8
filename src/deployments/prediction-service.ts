/**
 * `POST /api/deployments/:id/predict`: access first, then status, input,
 * scoring, logging. Reads no database except to check a credential (API keys
 * briefly cached, user tokens as the rest of the API checks them).
 */
import type { Database } from '../db/connect';
import { AppError, ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../errors';
import { allows, permissionsOf } from '../identity/roles';
import { hashToken } from '../identity/tokens';
import { findUserByTokenHash } from '../identity/user-store';
import type { Prediction, Row } from '../ml';
import { readPredictionRows } from '../ml/prediction/prediction-rows';
import type { ApiKeyService } from './api-key-service';
import type { DeployedModels, ServingEntry } from './deployed-models';
import type { PredictionLog } from './prediction-log';

/** What the caller sent to prove who they are: `Authorization: Bearer` (user token or API key) or `X-API-Key`. */
export interface Credentials {
  bearer: string | null;
  apiKey: string | null;
}

export interface PredictionResult {
  predictions: (string | number)[];
  probabilities?: Record<string, number>[];
  championVersionId: string;
  championVersion: number;
  approvalStatus: string;
  warnings?: { row: number; feature?: string; message: string }[];
}

/** One finished prediction request (metrics want the latency). */
export interface PredictedEvent {
  deploymentId: string;
  latencyMs: number;
  rows: number;
  errorCode: string | null;
}

export class PredictionService {
  /** Called after every prediction request that passed the access check. */
  onPredicted: ((event: PredictedEvent) => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly models: DeployedModels,
    private readonly keys: ApiKeyService,
    private readonly log: PredictionLog,
  ) {}

  /** `checkBody` validates the request's shape; it runs after the access check. */
  async predict(deploymentId: string, credentials: Credentials, rows: unknown[], checkBody: () => void = () => {}): Promise<PredictionResult> {
    const started = performance.now();
    const entry = await this.models.get(deploymentId);
    if (!entry) throw new NotFoundError('deployment', deploymentId);
    await this.checkAccess(entry, credentials);
    try {
      checkBody();
      return await this.score(entry, rows, started);
    } catch (err) {
      const errorCode = err instanceof AppError ? err.code : 'INTERNAL';
      this.finish(entry, { rows: null, rowCount: rows.length, predictions: null, challenger: null, errorCode }, started);
      throw err;
    }
  }

  private async score(entry: ServingEntry, input: unknown[], started: number): Promise<PredictionResult> {
    const { deployment, champion, challenger } = entry;
    if (deployment.status !== 'active') throw new ConflictError(`deployment ${deployment.name} is inactive; an approver activates it with POST /api/deployments/${deployment.id}/activate`, { status: deployment.status }, 'DEPLOYMENT_INACTIVE');
    const read = readPredictionRows(champion.artifact.features, champion.artifact.label, input, { ignoreExtraColumns: false });
    if (read.problems.length > 0) {
      const summary = read.problems.slice(0, 5).map((p) => `row ${p.row}: ${p.message}`).join('; ');
      throw new ValidationError(`Invalid prediction input: ${summary}`, { problems: read.problems }, 'INVALID_FEATURES');
    }
    const predictions = await champion.score(read.rows);
    const shadow = challenger ? this.shadow(challenger.score, challenger.artifact.features.map((f) => f.name), read.rows) : null;
    this.finish(entry, { rows: read.rows, rowCount: read.rows.length, predictions: predictions.map((p) => p.value), challenger: shadow, errorCode: null }, started);
    const result: PredictionResult = {
      predictions: predictions.map((p) => p.value),
      championVersionId: champion.versionId,
      championVersion: champion.number,
      approvalStatus: deployment.approvalStatus,
    };
    if (predictions.some((p) => p.probabilities)) result.probabilities = predictions.map((p) => p.probabilities ?? {});
    if (read.warnings.length > 0) result.warnings = read.warnings;
    return result;
  }

  /** The challenger's answers, or an error marker: a failing shadow never fails the request. */
  private shadow(score: (rows: Row[]) => Prediction[] | Promise<Prediction[]>, features: string[], rows: Row[]): unknown[] | null {
    try {
      const own = rows.map((row) => Object.fromEntries(features.map((name) => [name, row[name] ?? null])));
      const answers = score(own);
      return Array.isArray(answers) ? answers.map((p) => p.value) : null;
    } catch {
      return null;
    }
  }

  private finish(
    entry: ServingEntry,
    outcome: { rows: Row[] | null; rowCount: number; predictions: unknown[] | null; challenger: unknown[] | null; errorCode: string | null },
    started: number,
  ): void {
    const latencyMs = performance.now() - started;
    this.log.record({
      deploymentId: entry.deployment.id,
      at: new Date(),
      championVersionId: entry.champion.versionId,
      challengerVersionId: entry.challenger?.versionId ?? null,
      rowCount: outcome.rowCount,
      rows: outcome.rows,
      predictions: outcome.predictions,
      challengerPredictions: outcome.challenger,
      latencyMs,
      errorCode: outcome.errorCode,
    });
    this.onPredicted?.({ deploymentId: entry.deployment.id, latencyMs, rows: outcome.rowCount, errorCode: outcome.errorCode });
  }

  /**
   * public: anyone. instance: any valid user token. project: an API key of
   * this deployment, or a user token of its owner or a member (or `view:all`).
   * Unknown or revoked credentials: 401; valid but not admitted: 403.
   */
  private async checkAccess(entry: ServingEntry, credentials: Credentials): Promise<void> {
    const { deployment } = entry;
    if (deployment.access === 'public') return;
    const secret = credentials.apiKey ?? credentials.bearer;
    if (!secret) throw new UnauthorizedError(`deployment ${deployment.name} needs credentials: send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"${deployment.access === 'instance' ? ', or a user token' : ''}`);
    const keyOpens = await this.keys.deploymentOf(secret);
    if (keyOpens === deployment.id) return;
    if (keyOpens) throw new ForbiddenError(`this API key belongs to another deployment than ${deployment.name}`);
    const found = credentials.apiKey ? null : await findUserByTokenHash(this.db, hashToken(secret));
    if (!found) throw new UnauthorizedError('The API key or token is unknown, revoked or expired');
    if (deployment.access === 'instance') return;
    const { user } = found;
    const admitted = deployment.ownerId === user.id || deployment.members.includes(user.id) || allows(permissionsOf(user.roles), 'view:all');
    if (!admitted) throw new ForbiddenError(`deployment ${deployment.name} is open to its project members only; ask its owner to add you or for an API key`);
  }
}
