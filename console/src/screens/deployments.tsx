/** Deployments list; "not available" when this server has no deployments API. */
import { api, type Page } from '../api';
import { LoadState } from '../components/status';
import type { Deployment } from '../deployment';
import { href } from '../router';
import { useLoad } from '../use-load';

export function Deployments() {
  const { data, error, loading } = useLoad(() => api.get<Page<Deployment>>('/api/deployments?limit=100'), []);
  return (
    <section aria-labelledby="deployments-title">
      <h1 id="deployments-title">Deployments</h1>
      <LoadState error={error} loading={loading && !data} feature="Deployments" />
      {data && !data.items.length && <p>No deployments.</p>}
      {data && data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Deployments ({data.total})</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Approval</th>
              <th scope="col">Importance</th>
              <th scope="col">Access</th>
              <th scope="col">Challenger</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <a href={href('deployments', d.id)}>{d.name}</a>
                </td>
                <td>
                  <span class={`status status-${d.status}`}>{d.status}</span>
                </td>
                <td>{d.approvalStatus}</td>
                <td>{d.importance}</td>
                <td>{d.access}</td>
                <td>{d.challengerVersionId ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
