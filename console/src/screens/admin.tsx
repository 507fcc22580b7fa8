/** Administration: users (create, roles, tokens), usage against the active-model limit, the approval notice. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { ErrorMessage, LoadState, Notice } from '../components/status';
import { can, type Me } from '../me';
import { useLoad } from '../use-load';
import { UserForm, type User } from './user-form';

function Users() {
  const { data, error, loading, reload } = useLoad(() => api.get<Page<User>>('/api/users?limit=200'), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [token, setToken] = useState<{ user: string; token: string } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const createToken = async (user: User) => {
    setActionError(null);
    try {
      const created = await api.post<{ token: string }>(`/api/users/${user.id}/tokens`, { name: 'console' });
      setToken({ user: user.name, token: created.token });
    } catch (err) {
      setActionError(err);
    }
  };
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <LoadState error={error} loading={loading && !data} />
      {data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Roles</th>
              <th scope="col">Groups</th>
              <th scope="col">Active</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((user) => (
              <tr key={user.id}>
                <td>{user.name}</td>
                <td>{user.email}</td>
                <td>{user.roles.join(', ')}</td>
                <td>{user.groups.join(', ') || '—'}</td>
                <td>{user.active ? 'yes' : 'no'}</td>
                <td class="actions">
                  <button type="button" onClick={() => setEditing(editing === user.id ? null : user.id)} aria-expanded={editing === user.id} aria-label={`Edit ${user.name}`}>
                    Edit
                  </button>
                  <button type="button" onClick={() => void createToken(user)} aria-label={`New token for ${user.name}`}>
                    New token
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorMessage error={actionError} />
      {token && (
        <div role="status" class="message info">
          Token for {token.user} (shown only now): <code data-testid="new-token">{token.token}</code>
        </div>
      )}
      {editing && data && (
        <UserForm
          key={editing}
          user={data.items.find((u) => u.id === editing)}
          onSaved={async () => {
            setEditing(null);
            await reload();
          }}
        />
      )}
      <UserForm onSaved={reload} />
    </section>
  );
}

function Usage() {
  const { data, error, loading } = useLoad(() => api.get<{ activeModels: { used: number; limit: number | null } }>('/api/usage'), []);
  const used = data?.activeModels.used ?? 0;
  const limit = data?.activeModels.limit ?? null;
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <LoadState error={error} loading={loading && !data} feature="Usage figures" />
      {data && (
        <p>
          Active models: <strong>{used}</strong> of {limit ?? 'unlimited'}{' '}
          {limit !== null && limit > 0 && <meter min={0} max={limit} value={used} high={limit * 0.9} aria-label="Active models against the limit" />}
        </p>
      )}
    </section>
  );
}

function ApprovalNotice({ me }: { me: Me }) {
  const { data, error } = useLoad(() => api.get<{ approvalNotice: string }>('/api/settings'), []);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  useEffect(() => setText(data?.approvalNotice ?? ''), [data]);
  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    setSaveError(null);
    try {
      await api.put('/api/settings', { approvalNotice: text });
      setSaved(true);
    } catch (err) {
      setSaveError(err);
    }
  };
  return (
    <section aria-labelledby="notice-title">
      <h2 id="notice-title">Approval notice</h2>
      <ErrorMessage error={error} />
      <form onSubmit={save}>
        <label for="approval-notice">Shown in the context of every new approval work item</label>
        <textarea id="approval-notice" rows={3} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} disabled={!can(me, 'settings:edit')} />
        {can(me, 'settings:edit') && <button type="submit">Save notice</button>}
      </form>
      {saved && <Notice>Approval notice saved.</Notice>}
      <ErrorMessage error={saveError} />
    </section>
  );
}

export function Admin({ me }: { me: Me }) {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">Administration</h1>
      <Usage />
      <ApprovalNotice me={me} />
      <Users />
    </section>
  );
}
