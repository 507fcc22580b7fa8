/** Loads data for a screen; `reload()` fetches again; `pollMs` re-fetches while `keepPolling(data)` holds. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[], poll?: { ms: number; while: (data: T) => boolean }): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const current = useRef(0);
  const reload = useCallback(async () => {
    const call = ++current.current;
    try {
      const value = await load();
      if (call !== current.current) return;
      setData(value);
      setError(null);
    } catch (err) {
      if (call === current.current) setError(err);
    } finally {
      if (call === current.current) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    setLoading(true);
    void reload();
  }, [reload]);
  useEffect(() => {
    if (!poll || data === null || !poll.while(data)) return;
    const timer = setTimeout(() => void reload(), poll.ms);
    return () => clearTimeout(timer);
  }, [data, reload]);
  return { data, error, loading, reload };
}
