/** Jobs with progress bars, newest first; refreshes every 2 s while any is queued or running. */
import { useState } from 'preact/hooks';
import { api, query, type Page } from '../api';
import { ProgressBar } from '../components/progress-bar';
import { LoadState } from '../components/status';
import { formatDate } from '../format';
import { href } from '../router';
import { useLoad } from '../use-load';

export interface JobSummary {
  id: string;
  type: string;
  status: string;
  progress: number;
  error: string | null;
  cancelRequested: boolean;
  requestedBy: string | null;
  modelId: string | null;
  processInstanceId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const LIVE_JOB = ['queued', 'running'];
const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export function Jobs() {
  const [status, setStatus] = useState('');
  const { data, error, loading } = useLoad(() => api.get<Page<JobSummary>>(`/api/jobs${query({ status, limit: 100 })}`), [status], {
    ms: 2000,
    while: (page) => page.items.some((job) => LIVE_JOB.includes(job.status)),
  });
  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      <div class="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <LoadState error={error} loading={loading && !data} />
      {data && !data.items.length && <p>No jobs.</p>}
      {data && data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Jobs ({data.total})</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Created</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((job) => (
              <tr key={job.id}>
                <td>
                  <a href={href('jobs', job.id)}>
                    {job.type} <span class="muted">{job.id.slice(0, 8)}</span>
                  </a>
                </td>
                <td>
                  <span class={`status status-${job.status}`}>{job.status}</span>
                </td>
                <td>
                  <ProgressBar value={job.progress} label={`Progress of ${job.type} job ${job.id.slice(0, 8)}`} />
                </td>
                <td>{formatDate(job.createdAt)}</td>
                <td>{formatDate(job.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
