/** The REST client: every call carries the signed-in token; errors become ApiError with the server's message. */
import { readToken } from './session';

export class ApiError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly code: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown, token = readToken()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
  if (!response.ok) {
    const error = json && typeof json === 'object' ? json.error : undefined;
    throw new ApiError(error?.message ?? `${response.status} ${response.statusText}`, response.status, error?.code ?? 'http_error', error?.details);
  }
  return json as T;
}

/** A 404 for the route itself (not for an entity): this server has no such endpoint yet. */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && (err.details as { entity?: string } | undefined)?.entity === 'route';
}

export const api = {
  get: <T>(path: string, token?: string) => request<T>('GET', path, undefined, token),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
};

/** Query string from the set values of a filter object. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A message for people: 403 says what is missing (four-eyes, not a candidate), 404 on a missing feature says so. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `Not allowed: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export interface Page<T> {
  items: T[];
  total: number;
}
