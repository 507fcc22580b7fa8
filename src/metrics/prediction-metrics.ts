/**
 * Prediction latency by deployment. Module-level so the prediction path can
 * call `observePrediction` without being handed the metrics object; every
 * server's registry (`StagegateMetrics`) exposes this one histogram.
 */
import { Histogram } from 'prom-client';

/** Single-row predictions take milliseconds; batches and http runtimes up to seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const predictionDuration = new Histogram({
  name: 'stagegate_prediction_duration_seconds',
  help: 'Time to answer a prediction request, by deployment',
  labelNames: ['deployment'] as const,
  buckets: BUCKETS,
  registers: [],
});

/** Records one prediction request of a deployment that took `seconds`. */
export function observePrediction(deploymentId: string, seconds: number): void {
  predictionDuration.observe({ deployment: deploymentId }, seconds);
}
