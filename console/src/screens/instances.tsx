/** Process instances with filters (status, process key, business key). */
import { useState } from 'preact/hooks';
import { api, query, type Page } from '../api';
import { LoadState } from '../components/status';
import { formatDate } from '../format';
import type { InstanceSummary } from '../instance';
import { href } from '../router';
import { useLoad } from '../use-load';

const STATUSES = ['running', 'waiting', 'incident', 'completed', 'cancelled', 'failed'];

export function Instances() {
  const [filter, setFilter] = useState({ status: '', key: '', businessKey: '' });
  const [draft, setDraft] = useState(filter);
  const { data, error, loading } = useLoad(() => api.get<Page<InstanceSummary>>(`/api/process-instances${query({ ...filter, limit: 100 })}`), [filter]);
  const apply = (event: Event) => {
    event.preventDefault();
    setFilter({ ...draft, key: draft.key.trim(), businessKey: draft.businessKey.trim() });
  };
  return (
    <section aria-labelledby="instances-title">
      <h1 id="instances-title">Process instances</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter instances">
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Process key
          <input value={draft.key} onInput={(e) => setDraft({ ...draft, key: e.currentTarget.value })} />
        </label>
        <label>
          Business key
          <input value={draft.businessKey} onInput={(e) => setDraft({ ...draft, businessKey: e.currentTarget.value })} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <LoadState error={error} loading={loading && !data} />
      {data && !data.items.length && <p>No instances match.</p>}
      {data && data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Process instances ({data.total})</caption>
          <thead>
            <tr>
              <th scope="col">Process</th>
              <th scope="col">Business key</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((instance) => (
              <tr key={instance.id}>
                <td>
                  <a href={href('instances', instance.id)}>
                    {instance.processKey} v{instance.definitionVersion}
                  </a>
                </td>
                <td>{instance.businessKey ?? '—'}</td>
                <td>
                  <span class={`status status-${instance.status}`}>{instance.status}</span>
                </td>
                <td>{formatDate(instance.createdAt)}</td>
                <td>{formatDate(instance.endedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && data.total > data.items.length && <p class="muted">Showing the newest {data.items.length} of {data.total}.</p>}
    </section>
  );
}
