/** One instance: the diagram with current/completed activities, variables, incidents (retry), open work items, history. Polls while it runs. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { BpmnDiagram } from '../components/bpmn-diagram';
import { ErrorMessage, LoadState } from '../components/status';
import { formatDate, formatValue } from '../format';
import { ACTIVE_STATUSES, activityStates, type Instance } from '../instance';
import { can, type Me } from '../me';
import { href } from '../router';
import { useLoad } from '../use-load';

function Diagram({ instance }: { instance: Instance }) {
  const { data: xml, error } = useLoad(
    () => api.get<string>(`/api/process-definitions/${encodeURIComponent(instance.processKey)}/xml?version=${instance.definitionVersion}`),
    [instance.processKey, instance.definitionVersion],
  );
  const { current, completed } = activityStates(instance);
  const name = (id: string) => instance.history.find((h) => h.elementId === id)?.elementName ?? id;
  const label = `Diagram of ${instance.processKey}. Current: ${current.map(name).join(', ') || 'none'}. Completed: ${completed.map(name).join(', ') || 'none'}`;
  return (
    <section aria-labelledby="diagram-title">
      <h2 id="diagram-title">Diagram</h2>
      <ErrorMessage error={error} />
      {xml && <BpmnDiagram xml={xml} current={current} completed={completed} label={label} />}
      <p>
        Current activities: <span data-testid="current-activities">{current.map(name).join(', ') || 'none'}</span>
      </p>
    </section>
  );
}

function Incidents({ instance, me, onChange }: { instance: Instance; me: Me; onChange: () => Promise<void> }) {
  const [error, setError] = useState<unknown>(null);
  if (!instance.incidents.length) return null;
  const retry = async (id: string) => {
    setError(null);
    try {
      await api.post(`/api/incidents/${id}/retry`);
      await onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="incidents-title">
      <h2 id="incidents-title">Incidents</h2>
      <ul class="plain">
        {instance.incidents.map((incident) => (
          <li key={incident.id} class={`incident incident-${incident.status}`}>
            <strong>{incident.elementId}</strong> ({incident.type}, {incident.status}, {formatDate(incident.createdAt)}): {incident.message}{' '}
            {incident.status === 'open' && can(me, 'instances:operate') && (
              <button type="button" onClick={() => void retry(incident.id)} aria-label={`Retry ${incident.elementId}`}>
                Retry
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} />
    </section>
  );
}

export function InstanceDetail({ id, me }: { id: string; me: Me }) {
  const { data: instance, error, loading, reload } = useLoad(() => api.get<Instance>(`/api/process-instances/${id}`), [id], {
    ms: 2000,
    while: (i) => ACTIVE_STATUSES.includes(i.status),
  });
  return (
    <article aria-labelledby="instance-title">
      <p>
        <a href={href('instances')}>← Process instances</a>
      </p>
      <h1 id="instance-title">{instance ? `${instance.processKey} v${instance.definitionVersion}` : 'Process instance'}</h1>
      <LoadState error={error} loading={loading && !instance} />
      {instance && (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <span class={`status status-${instance.status}`} data-testid="instance-status">
                  {instance.status}
                </span>
              </dd>
            </div>
            <div>
              <dt>Business key</dt>
              <dd>{instance.businessKey ?? '—'}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatDate(instance.createdAt)}</dd>
            </div>
            <div>
              <dt>Ended</dt>
              <dd>{formatDate(instance.endedAt)}</dd>
            </div>
            {instance.error && (
              <div>
                <dt>Error</dt>
                <dd>{instance.error}</dd>
              </div>
            )}
          </dl>
          <Diagram instance={instance} />
          {instance.userTasks.length > 0 && (
            <section aria-labelledby="waiting-title">
              <h2 id="waiting-title">Waiting for people</h2>
              <ul>
                {instance.userTasks.map((task) => (
                  <li key={task.id}>
                    <a href={href('tasks', task.id)}>{task.name ?? task.elementId}</a>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <Incidents instance={instance} me={me} onChange={reload} />
          <section aria-labelledby="variables-title">
            <h2 id="variables-title">Variables</h2>
            <pre class="variables" tabIndex={0} aria-label="Variables as JSON">
              {formatValue(instance.variables ?? {})}
            </pre>
          </section>
          <details>
            <summary>History ({instance.history.length} events)</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Element</th>
                  <th scope="col">Event</th>
                </tr>
              </thead>
              <tbody>
                {instance.history.map((h, index) => (
                  <tr key={index}>
                    <td>{formatDate(h.at)}</td>
                    <td>{h.elementName ?? h.elementId}</td>
                    <td>{h.event}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </article>
  );
}
