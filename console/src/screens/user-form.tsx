/** Create a user, or change an existing one's roles, groups and active flag. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorMessage, Notice } from '../components/status';

export interface User {
  id: string;
  name: string;
  email: string;
  roles: string[];
  groups: string[];
  active: boolean;
}

export const ROLES = ['tenant_admin', 'analytics_admin', 'model_approver', 'deployment_contributor', 'experiment_contributor', 'viewer', 'external_worker'];

export function UserForm({ user, onSaved }: { user?: User; onSaved: () => Promise<void> }) {
  const prefix = user ? `edit-${user.id}` : 'new-user';
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [roles, setRoles] = useState<string[]>(user?.roles ?? ['viewer']);
  const [groups, setGroups] = useState(user?.groups.join(', ') ?? '');
  const [active, setActive] = useState(user?.active ?? true);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const toggle = (role: string) => setRoles(roles.includes(role) ? roles.filter((r) => r !== role) : [...roles, role]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    const body = { name: name.trim(), email: email.trim(), roles, groups: groups.split(',').map((g) => g.trim()).filter(Boolean), active };
    try {
      if (user) await api.put(`/api/users/${user.id}`, body);
      else await api.post('/api/users', body);
      setSaved(user ? `Saved ${body.name}.` : `Created ${body.name}.`);
      if (!user) {
        setName('');
        setEmail('');
        setGroups('');
      }
      await onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} class="user-form" aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>{user ? `Edit ${user.name}` : 'Create a user'}</h3>
      <div class="field">
        <label for={`${prefix}-name`}>Name</label>
        <input id={`${prefix}-name`} required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${prefix}-email`}>Email</label>
        <input id={`${prefix}-email`} type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <div class="field checkbox" key={role}>
            <input id={`${prefix}-role-${role}`} type="checkbox" checked={roles.includes(role)} onChange={() => toggle(role)} />
            <label for={`${prefix}-role-${role}`}>{role}</label>
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for={`${prefix}-groups`}>Groups (comma-separated, as BPMN candidate groups name them)</label>
        <input id={`${prefix}-groups`} value={groups} onInput={(e) => setGroups(e.currentTarget.value)} />
      </div>
      <div class="field checkbox">
        <input id={`${prefix}-active`} type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        <label for={`${prefix}-active`}>Active</label>
      </div>
      <button type="submit">{user ? 'Save user' : 'Create user'}</button>
      {saved && <Notice>{saved}</Notice>}
      <ErrorMessage error={error} />
    </form>
  );
}
