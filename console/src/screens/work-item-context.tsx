/** The context snapshot of a work item: the approval notice first, then model, version, importance, change, test results. */
import { formatValue } from '../format';

const LABELS: Record<string, string> = {
  model: 'Model',
  modelName: 'Model',
  modelId: 'Model id',
  version: 'Version',
  versionNumber: 'Version',
  importance: 'Importance',
  change: 'What changed',
  testResult: 'Latest test results',
  breaches: 'Threshold breaches',
  incident: 'Incident',
};

function Value({ value }: { value: unknown }) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => v === null || typeof v !== 'object')) {
      return (
        <dl class="inline">
          {entries.map(([key, v]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : formatValue(v)}</dd>
            </div>
          ))}
        </dl>
      );
    }
  }
  const text = formatValue(value);
  return text.includes('\n') ? <pre>{text}</pre> : <>{text}</>;
}

export function WorkItemContext({ context }: { context: Record<string, unknown> }) {
  const { approvalNotice, ...rest } = context;
  const known = Object.keys(LABELS).filter((key) => rest[key] !== undefined);
  const other = Object.keys(rest).filter((key) => !(key in LABELS));
  return (
    <section aria-labelledby="context-title">
      <h2 id="context-title">Context</h2>
      {typeof approvalNotice === 'string' && approvalNotice && (
        <aside class="notice" aria-label="Approval notice">
          <strong>Approval notice: </strong>
          {approvalNotice}
        </aside>
      )}
      {known.length + other.length === 0 ? (
        <p class="muted">No context recorded.</p>
      ) : (
        <dl class="facts">
          {[...known, ...other].map((key) => (
            <div key={key}>
              <dt>{LABELS[key] ?? key}</dt>
              <dd>
                <Value value={rest[key]} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
