/**
 * The service-task topics Stagegate serves in-process out of the box (SPEC §5).
 * `stagegate lint` accepts these without `camunda:type="external"`; the server
 * checks against its live handler registry instead.
 */
export const BUILT_IN_TOPICS: ReadonlySet<string> = new Set(['train', 'test', 'check-thresholds', 'deploy', 'notify', 'raise-alert']);
