/** One job: progress, log lines, result or error, cancel; polls every second while queued or running. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ProgressBar } from '../components/progress-bar';
import { ErrorMessage, LoadState } from '../components/status';
import { formatDate, formatValue } from '../format';
import { can, type Me } from '../me';
import { href } from '../router';
import { useLoad } from '../use-load';
import { LIVE_JOB, type JobSummary } from './jobs';

interface Job extends JobSummary {
  params: Record<string, unknown>;
  log: { at: string; message: string }[];
  result: unknown;
}

export function JobDetail({ id, me }: { id: string; me: Me }) {
  const { data: job, error, loading, reload } = useLoad(() => api.get<Job>(`/api/jobs/${id}`), [id], { ms: 1000, while: (j) => LIVE_JOB.includes(j.status) });
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const cancel = async () => {
    setCancelError(null);
    setCancelling(true);
    try {
      await api.post(`/api/jobs/${id}/cancel`);
      await reload();
    } catch (err) {
      setCancelError(err);
    } finally {
      setCancelling(false);
    }
  };
  const mayCancel = job && LIVE_JOB.includes(job.status) && (can(me, 'jobs:cancel:any') || (can(me, 'jobs:cancel:own') && job.requestedBy === me.id));
  return (
    <article aria-labelledby="job-title">
      <p>
        <a href={href('jobs')}>← Jobs</a>
      </p>
      <h1 id="job-title">{job ? `${job.type} job` : 'Job'}</h1>
      <LoadState error={error} loading={loading && !job} />
      {job && (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <span class={`status status-${job.status}`} data-testid="job-status">
                  {job.status}
                </span>
              </dd>
            </div>
            <div>
              <dt>Progress</dt>
              <dd>
                <ProgressBar value={job.progress} label="Job progress" />
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatDate(job.createdAt)}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatDate(job.startedAt)}</dd>
            </div>
            <div>
              <dt>Finished</dt>
              <dd>{formatDate(job.finishedAt)}</dd>
            </div>
            {job.processInstanceId && (
              <div>
                <dt>Process instance</dt>
                <dd>
                  <a href={href('instances', job.processInstanceId)}>{job.processInstanceId.slice(0, 8)}</a>
                </dd>
              </div>
            )}
            {job.error && (
              <div>
                <dt>Error</dt>
                <dd>{job.error}</dd>
              </div>
            )}
          </dl>
          {mayCancel && (
            <button type="button" class="danger" disabled={cancelling || job.cancelRequested} onClick={() => void cancel()}>
              {cancelling ? 'Cancelling…' : 'Cancel job'}
            </button>
          )}
          <ErrorMessage error={cancelError} />
          <section aria-labelledby="params-title">
            <h2 id="params-title">Parameters</h2>
            <pre tabIndex={0} aria-label="Job parameters as JSON">{formatValue(job.params)}</pre>
          </section>
          <section aria-labelledby="log-title">
            <h2 id="log-title">Log</h2>
            <ol class="log" tabIndex={0} aria-label="Job log" aria-live="polite">
              {job.log.map((line, index) => (
                <li key={index}>
                  <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time> {line.message}
                </li>
              ))}
            </ol>
          </section>
          {job.result !== null && job.result !== undefined && (
            <section aria-labelledby="result-title">
              <h2 id="result-title">Result</h2>
              <pre tabIndex={0} aria-label="Job result as JSON">{formatValue(job.result)}</pre>
            </section>
          )}
        </>
      )}
    </article>
  );
}
