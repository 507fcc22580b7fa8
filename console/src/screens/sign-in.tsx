/** Sign-in: paste an API token; it is checked with /api/me before it is kept (sessionStorage). */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorMessage } from '../components/status';
import type { Me } from '../me';
import { saveToken } from '../session';

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.get<Me>('/api/me', token.trim());
      saveToken(token.trim());
      onSignedIn(me);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Stagegate</h1>
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <p id="sign-in-help">Sign in with an API token (an administrator creates one for you under Administration, or with the CLI).</p>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorMessage error={error} />
      </form>
    </main>
  );
}
