/** One deployment: requests and latency, drift by feature (PSI), backtest history, activate/deactivate. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { BarChart } from '../components/charts';
import { ErrorMessage, LoadState } from '../components/status';
import { PSI_ALERT, type Deployment, type Monitoring } from '../deployment';
import { formatDate, formatValue } from '../format';
import { can, type Me } from '../me';
import { href } from '../router';
import { useLoad } from '../use-load';

const WINDOWS = ['1h', '24h', '7d', '30d'];

function MonitoringCharts({ id }: { id: string }) {
  const [window, setWindow] = useState('24h');
  const { data, error, loading } = useLoad(() => api.get<Monitoring>(`/api/deployments/${id}/monitoring?window=${window}`), [id, window]);
  return (
    <section aria-labelledby="monitoring-title">
      <h2 id="monitoring-title">Monitoring</h2>
      <label>
        Window{' '}
        <select value={window} onChange={(e) => setWindow(e.currentTarget.value)}>
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              {w}
            </option>
          ))}
        </select>
      </label>
      <LoadState error={error} loading={loading && !data} feature="Monitoring figures" />
      {data && (
        <>
          <dl class="facts">
            <div>
              <dt>Requests</dt>
              <dd>{data.requests}</dd>
            </div>
            <div>
              <dt>Errors</dt>
              <dd>
                {data.errors}
                {data.requests ? ` (${((100 * data.errors) / data.requests).toFixed(1)}%)` : ''}
              </dd>
            </div>
            {data.agreement !== null && data.agreement !== undefined && (
              <div>
                <dt>Champion/challenger agreement</dt>
                <dd>{(100 * data.agreement).toFixed(1)}%</dd>
              </div>
            )}
          </dl>
          <div class="charts">
            <BarChart
              title="Latency (ms)"
              unit=" ms"
              digits={1}
              bars={[
                { label: 'p50', value: data.latencyMs.p50 },
                { label: 'p95', value: data.latencyMs.p95 },
                { label: 'p99', value: data.latencyMs.p99 },
              ]}
            />
            <BarChart
              title="Drift by feature (PSI)"
              bars={data.drift.map((d) => ({ label: d.feature, value: d.psi }))}
              threshold={{ value: PSI_ALERT, label: `PSI ${PSI_ALERT}: a significant shift` }}
            />
          </div>
        </>
      )}
    </section>
  );
}

function Backtests({ id }: { id: string }) {
  const { data, error, loading } = useLoad(() => api.get<{ items: Record<string, unknown>[] }>(`/api/deployments/${id}/backtests`), [id]);
  return (
    <section aria-labelledby="backtests-title">
      <h2 id="backtests-title">Backtests</h2>
      <LoadState error={error} loading={loading && !data} feature="Backtests" />
      {data && !data.items.length && <p class="muted">No backtests yet.</p>}
      {data && data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Results</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((b, index) => {
              const { id: _id, status, createdAt, finishedAt, ...rest } = b;
              return (
                <tr key={String(_id ?? index)}>
                  <td>{formatDate((finishedAt ?? createdAt) as string)}</td>
                  <td>{formatValue(status)}</td>
                  <td>
                    <pre>{formatValue(rest.metrics ?? rest.result ?? rest)}</pre>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function DeploymentDetail({ id, me }: { id: string; me: Me }) {
  const { data, error, loading, reload } = useLoad(() => api.get<Deployment>(`/api/deployments/${id}`), [id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const act = async (action: 'activate' | 'deactivate') => {
    setActionError(null);
    try {
      await api.post(`/api/deployments/${id}/${action}`);
      await reload();
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <article aria-labelledby="deployment-title">
      <p>
        <a href={href('deployments')}>← Deployments</a>
      </p>
      <h1 id="deployment-title">{data?.name ?? 'Deployment'}</h1>
      <LoadState error={error} loading={loading && !data} feature="Deployments" />
      {data && (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>{data.status}</dd>
            </div>
            <div>
              <dt>Approval</dt>
              <dd>{data.approvalStatus}</dd>
            </div>
            <div>
              <dt>Importance</dt>
              <dd>{data.importance}</dd>
            </div>
            <div>
              <dt>Access</dt>
              <dd>{data.access}</dd>
            </div>
          </dl>
          {can(me, 'deployments:activate') && (
            <div class="actions">
              <button type="button" class="primary" onClick={() => void act('activate')} disabled={data.status === 'active'}>
                Activate
              </button>
              <button type="button" class="danger" onClick={() => void act('deactivate')} disabled={data.status !== 'active'}>
                Deactivate
              </button>
            </div>
          )}
          <ErrorMessage error={actionError} />
          <MonitoringCharts id={id} />
          <Backtests id={id} />
        </>
      )}
    </article>
  );
}
