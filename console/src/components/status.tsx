/** Loading, error and "not available" messages; errors are announced (role=alert). */
import type { ComponentChildren } from 'preact';
import { ApiError, describeError, isMissingRoute } from '../api';

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <p role="alert" class={forbidden ? 'message forbidden' : 'message error'}>
      {describeError(error)}
    </p>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p role="status" class="message info">
      {children}
    </p>
  );
}


export function Loading() {
  return <p class="muted" aria-live="polite">Loading…</p>;
}

/** Standard treatment of a screen's load: the error, "not available" for a missing endpoint, or the loading line. */
export function LoadState({ error, loading, feature }: { error: unknown; loading: boolean; feature?: string }) {
  if (error && feature && isMissingRoute(error)) return <Notice>{feature} are not available on this server.</Notice>;
  if (error) return <ErrorMessage error={error} />;
  return loading ? <Loading /> : null;
}
