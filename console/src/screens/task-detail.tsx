/** One work item: context, form, claim, decide with a comment, comments. 403s (four-eyes, not a candidate) are shown as the server words them. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorMessage, LoadState, Notice } from '../components/status';
import { formatDate } from '../format';
import { can, type Me } from '../me';
import { href } from '../router';
import { useLoad } from '../use-load';
import { decisionsOf, type Comment, type WorkItem } from '../work-item';
import { FormFields, initialValues, type FormValues } from './form-fields';
import { WorkItemContext } from './work-item-context';

function Comments({ id }: { id: string }) {
  const { data, error, reload } = useLoad(() => api.get<{ items: Comment[] }>(`/api/tasks/${id}/comments`), [id]);
  const [text, setText] = useState('');
  const [sendError, setSendError] = useState<unknown>(null);
  const send = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post(`/api/tasks/${id}/comments`, { text });
      setText('');
      setSendError(null);
      await reload();
    } catch (err) {
      setSendError(err);
    }
  };
  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      <ErrorMessage error={error} />
      {data && !data.items.length && <p class="muted">No comments yet.</p>}
      <ol class="comments">
        {data?.items.map((c) => (
          <li key={c.id}>
            <strong>{c.userName ?? c.authorName}</strong> <span class="muted">{formatDate(c.createdAt)}</span>
            <p>{c.text}</p>
          </li>
        ))}
      </ol>
      <form onSubmit={send}>
        <label for="new-comment">Add a comment</label>
        <textarea id="new-comment" rows={3} required maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Post comment</button>
        <ErrorMessage error={sendError} />
      </form>
    </section>
  );
}

function Decide({ item, me, onDone }: { item: WorkItem; me: Me; onDone: () => Promise<void> }) {
  const [comment, setComment] = useState('');
  const [values, setValues] = useState<FormValues>(() => initialValues(item.formFields));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (path: string, body?: unknown, message?: string) => {
    setError(null);
    try {
      await api.post(`/api/tasks/${item.id}/${path}`, body);
      setDone(message ?? null);
      await onDone();
    } catch (err) {
      setError(err);
    }
  };
  const decide = (decision: string, name: string) => (event: Event) => {
    event.preventDefault();
    const form = (event.currentTarget as HTMLElement).closest('form');
    if (form && !form.reportValidity()) return;
    void act('complete', { decision, comment: comment.trim() || null, variables: values }, `Decision recorded: ${name}.`);
  };
  if (!can(me, 'tasks:approve')) return <Notice>You may read this work item; deciding needs the tasks:approve permission.</Notice>;
  return (
    <section aria-labelledby="decide-title">
      <h2 id="decide-title">Decision</h2>
      <div class="actions">
        {!item.assignee && (
          <button type="button" onClick={() => void act('claim', {}, 'You claimed this work item.')}>
            Claim
          </button>
        )}
        {item.assignee === me.id && (
          <button type="button" onClick={() => void act('unclaim', {}, 'You gave this work item back.')}>
            Unclaim
          </button>
        )}
      </div>
      <form onSubmit={(e) => e.preventDefault()}>
        <FormFields fields={item.formFields} values={values} onChange={setValues} />
        <label for="decision-comment">Comment (kept with the decision and in the audit log)</label>
        <textarea id="decision-comment" rows={3} maxLength={4000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        <div class="actions">
          {decisionsOf(item).map((d) => (
            <button key={d.id} type="button" class={d.id === 'approved' ? 'primary' : d.id === 'rejected' ? 'danger' : ''} onClick={decide(d.id, d.name)}>
              {d.name}
            </button>
          ))}
        </div>
      </form>
      {done && <Notice>{done}</Notice>}
      <ErrorMessage error={error} />
    </section>
  );
}

export function TaskDetail({ id, me }: { id: string; me: Me }) {
  const { data: item, error, loading, reload } = useLoad(() => api.get<WorkItem>(`/api/tasks/${id}`), [id]);
  return (
    <article aria-labelledby="task-title">
      <p>
        <a href={href('tasks')}>← Inbox</a>
      </p>
      <h1 id="task-title">{item ? (item.name ?? item.elementId) : 'Work item'}</h1>
      <LoadState error={error} loading={loading && !item} />
      {item && (
        <>
          <dl class="facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="task-status">{item.status}</dd>
            </div>
            <div>
              <dt>Process instance</dt>
              <dd>
                <a href={href('instances', item.processInstanceId)}>{item.processKey}{item.businessKey ? ` · ${item.businessKey}` : ''}</a>
              </dd>
            </div>
            <div>
              <dt>Candidates</dt>
              <dd>{[...item.candidateGroups, ...item.candidateUsers].join(', ') || 'anyone'}</dd>
            </div>
            <div>
              <dt>Due</dt>
              <dd>{formatDate(item.dueDate)}</dd>
            </div>
            <div>
              <dt>Priority</dt>
              <dd>{item.priority}</dd>
            </div>
            <div>
              <dt>Claimed</dt>
              <dd>{item.assignee ? (item.assignee === me.id ? 'by you' : 'by someone else') : 'no'}</dd>
            </div>
            {item.approvalsRequired > 1 && (
              <div>
                <dt>Approvals</dt>
                <dd>
                  {item.approvals.filter((a) => a.decision === 'approved').length} of {item.approvalsRequired}
                </dd>
              </div>
            )}
            {item.decision && (
              <div>
                <dt>Decision</dt>
                <dd>
                  {item.decision}
                  {item.comment ? ` — “${item.comment}”` : ''} ({formatDate(item.completedAt)})
                </dd>
              </div>
            )}
          </dl>
          {item.documentation && <p class="documentation">{item.documentation}</p>}
          <WorkItemContext context={item.context} />
          {item.status === 'open' && <Decide item={item} me={me} onDone={reload} />}
          <Comments id={item.id} />
        </>
      )}
    </article>
  );
}
