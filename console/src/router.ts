/** Hash routes (#/tasks/ID): the server serves one page, the browser's history works, links are plain anchors. */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** First path segment: tasks, instances, jobs, deployments, admin. */
  section: string;
  /** Second segment, the id of a detail view, if any. */
  id: string | null;
}

export function parseRoute(hash: string): Route {
  const [section, id] = hash.replace(/^#\/?/, '').split('/');
  return { section: section || 'tasks', id: id ? decodeURIComponent(id) : null };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = (section: string, id?: string) => `#/${section}${id ? `/${encodeURIComponent(id)}` : ''}`;
