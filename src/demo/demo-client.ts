/** The demo's tiny REST client: JSON over fetch with a bearer token; a non-2xx reply is an error naming the call. */

export interface DemoClient {
  readonly token: string;
  get<T = any>(path: string): Promise<T>;
  post<T = any>(path: string, body?: unknown, contentType?: string): Promise<T>;
}

export function demoClient(baseUrl: string, token: string): DemoClient {
  async function request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = contentType;
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(baseUrl + path, init);
    const text = await response.text();
    const parsed = text && response.headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : text;
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${typeof parsed === 'string' ? parsed : JSON.stringify(parsed)}`);
    return parsed as T;
  }
  return {
    token,
    get: (path) => request('GET', path),
    post: (path, body, contentType) => request('POST', path, body ?? {}, contentType),
  };
}

/** Polls until `check` returns a value; throws naming what it waited for. */
export async function poll<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}
