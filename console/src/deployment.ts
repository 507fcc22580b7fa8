/** Deployments and their monitoring, as the deployments API answers (SPEC §8). */
export interface Deployment {
  id: string;
  name: string;
  modelId: string;
  championVersionId: string | null;
  challengerVersionId: string | null;
  runtimeId: string | null;
  importance: string;
  access: string;
  status: string;
  approvalStatus: string;
}

export interface Monitoring {
  requests: number;
  errors: number;
  latencyMs: { p50: number; p95: number; p99: number };
  agreement: number | null;
  drift: { feature: string; psi: number }[];
}

/** PSI above this is a significant shift (the usual reading of the index). */
export const PSI_ALERT = 0.2;
