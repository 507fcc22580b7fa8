/**
 * What the reference processes need to know about deployments: the active
 * ones and their champion version. The deployments capability implements it
 * (wired in `src/server.ts`); the lifecycle topics and backtests only read.
 */
import type { Actor } from '../identity/actor';

/** A deployment and the version it serves (its champion). */
export interface DeployedChampion {
  deploymentId: string;
  deploymentName: string;
  modelId: string;
  championVersionId: string;
  importance: string;
  status: string;
}

export interface DeploymentDirectory {
  /** Every active deployment with its champion, oldest first. */
  listActive(): Promise<DeployedChampion[]>;
  /** One deployment: 404 when missing; with an actor, 403 when they may not see it. */
  get(actor: Actor | null, deploymentId: string): Promise<DeployedChampion>;
}
