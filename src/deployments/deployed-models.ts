/**
 * The in-memory cache of what each deployment serves: its champion (and
 * challenger) loaded once, so a prediction reads no database. An entry is
 * rebuilt whole and then swapped in one assignment, so a request sees either
 * the old pair or the new one, never a mix (deploy, rollback, activation).
 */
import type { Database } from '../db/connect';
import { loadModel, type ModelArtifact, type Prediction, type Predictor, type Row } from '../ml';
import { readArtifact } from '../models/model-store';
import { remotePredict } from '../runtimes/runtime-client';
import { findRuntime, type Runtime } from '../runtimes/runtime-store';
import { findDeployment, findVersionById, type Deployment } from './deployment-store';

/** Scores rows already checked against the artifact's features. */
export type Scorer = (rows: Row[]) => Prediction[] | Promise<Prediction[]>;

export interface ServedVersion {
  versionId: string;
  number: number;
  artifact: ModelArtifact;
  score: Scorer;
}

export interface ServingEntry {
  deployment: Deployment;
  runtime: Runtime;
  champion: ServedVersion;
  /** Scored in-process on every request (also for http runtimes): a shadow never answers callers. */
  challenger: ServedVersion | null;
}

type FastPredictor = Predictor & { predictReadRows?: (rows: Row[]) => Prediction[] };

/** Reads a version's artifact and loads it (throws when it has none or it does not load). */
export async function loadVersion(db: Database, versionId: string): Promise<{ number: number; artifact: ModelArtifact; predictor: FastPredictor }> {
  const version = await findVersionById(db, versionId);
  const bytes = version ? await readArtifact(db, versionId) : null;
  if (!version || !bytes) throw new Error(`version ${versionId} has no stored artifact`);
  const artifact = JSON.parse(bytes.toString('utf8')) as ModelArtifact;
  return { number: version.number, artifact, predictor: loadModel(artifact) as FastPredictor };
}

function embedded(predictor: FastPredictor): Scorer {
  // Rows were read by readPredictionRows already: skip the second read when the predictor allows it.
  return predictor.predictReadRows ? (rows) => predictor.predictReadRows!(rows) : (rows) => predictor.predict(rows);
}

export class DeployedModels {
  private readonly entries = new Map<string, ServingEntry>();
  private readonly loading = new Map<string, Promise<ServingEntry | null>>();

  constructor(private readonly db: Database) {}

  /** The entry of a deployment, loaded on first use (null: no such deployment). */
  async get(deploymentId: string): Promise<ServingEntry | null> {
    const cached = this.entries.get(deploymentId);
    if (cached) return cached;
    let pending = this.loading.get(deploymentId);
    if (!pending) {
      pending = this.build(deploymentId).finally(() => this.loading.delete(deploymentId));
      this.loading.set(deploymentId, pending);
    }
    return pending;
  }

  /** Rebuilds an entry after a change and swaps it in (or drops it when the deployment is gone). */
  async refresh(deploymentId: string): Promise<void> {
    const entry = await this.build(deploymentId);
    if (!entry) this.entries.delete(deploymentId);
  }

  drop(deploymentId: string): void {
    this.entries.delete(deploymentId);
  }

  private async build(deploymentId: string): Promise<ServingEntry | null> {
    const deployment = await findDeployment(this.db, deploymentId);
    if (!deployment) {
      this.entries.delete(deploymentId);
      return null;
    }
    const runtime = (await findRuntime(this.db, deployment.runtimeId))!;
    const champion = await loadVersion(this.db, deployment.championVersionId);
    const challenger = deployment.challengerVersionId ? await loadVersion(this.db, deployment.challengerVersionId) : null;
    const remote = runtime.kind === 'http' ? runtime.url! : null;
    const entry: ServingEntry = {
      deployment,
      runtime,
      champion: {
        versionId: deployment.championVersionId,
        number: champion.number,
        artifact: champion.artifact,
        score: remote ? (rows) => remotePredict(remote, deploymentId, rows) : embedded(champion.predictor),
      },
      challenger: challenger
        ? { versionId: deployment.challengerVersionId!, number: challenger.number, artifact: challenger.artifact, score: embedded(challenger.predictor) }
        : null,
    };
    this.entries.set(deploymentId, entry);
    return entry;
  }
}
