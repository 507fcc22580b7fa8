/** The work-item inbox: items of the user's groups, the user, or assigned to them (mine=true). */
import { useState } from 'preact/hooks';
import { api, query, type Page } from '../api';
import { LoadState } from '../components/status';
import { formatDate } from '../format';
import type { Me } from '../me';
import { href } from '../router';
import { useLoad } from '../use-load';
import type { WorkItem } from '../work-item';

export function Inbox({ me }: { me: Me }) {
  const [status, setStatus] = useState('open');
  const [sort, setSort] = useState('due');
  const { data, error, loading } = useLoad(
    () => api.get<Page<WorkItem>>(`/api/tasks${query({ mine: 'true', status, sort, order: sort === 'priority' ? 'desc' : 'asc', limit: 100 })}`),
    [status, sort],
  );
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      <p class="muted">Work items for {me.groups.length ? `your groups (${me.groups.join(', ')}) and you` : 'you'}.</p>
      <div class="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="open">Open</option>
            <option value="completed">Completed</option>
            <option value="cancelled">Cancelled</option>
          </select>
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.currentTarget.value)}>
            <option value="due">Due date</option>
            <option value="priority">Priority</option>
            <option value="created">Created</option>
          </select>
        </label>
      </div>
      <LoadState error={error} loading={loading && !data} />
      {data && !data.items.length && <p>No work items.</p>}
      {data && data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Work items ({data.total})</caption>
          <thead>
            <tr>
              <th scope="col">Work item</th>
              <th scope="col">Process</th>
              <th scope="col">Business key</th>
              <th scope="col">Due</th>
              <th scope="col">Priority</th>
              <th scope="col">Claimed</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((item) => (
              <tr key={item.id}>
                <td>
                  <a href={href('tasks', item.id)}>{item.name ?? item.elementId}</a>
                  {item.kind === 'review' && <span class="tag">review</span>}
                </td>
                <td>{item.processKey}</td>
                <td>{item.businessKey ?? '—'}</td>
                <td>{formatDate(item.dueDate)}</td>
                <td>{item.priority}</td>
                <td>{item.assignee ? (item.assignee === me.id ? 'by you' : 'by someone else') : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
