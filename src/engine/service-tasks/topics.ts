/**
 * The service-task topics Stagegate serves in-process out of the box (SPEC §5).
 * `stagegate lint` accepts these without `camunda:type="external"`; the server
 * checks against its live handler registry instead. `train`, `test` and
 * `check-thresholds` are registered by `src/ml-tasks/register.ts`; their inputs
 * and outputs are documented in `processes/README.md`.
 */
export const BUILT_IN_TOPICS: ReadonlySet<string> = new Set([
  'train', 'test', 'check-thresholds', 'deploy', 'notify', 'raise-alert', 'batch-predict',
  // The reference processes' own topics (src/lifecycle/register.ts).
  'describe-model', 'find-champion', 'compare-models', 'list-active-deployments', 'backtest',
]);
