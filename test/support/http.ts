/** A tiny JSON client for real HTTP against a running server. */
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** The admin token every test server is started with (ADMIN_TOKEN). */
export const TEST_ADMIN_TOKEN = 'sg_test_admin_token_0123456789abcdef';

export function client(baseUrl: string, token: string | null = TEST_ADMIN_TOKEN) {
  async function request<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: token ? { authorization: `Bearer ${token}` } : {} };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = contentType;
    }
    const response = await fetch(baseUrl + path, init);
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('application/json') && text) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
  return {
    request,
    get: <T = any>(path: string) => request<T>('GET', path),
    post: <T = any>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
    put: <T = any>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
    del: <T = any>(path: string) => request<T>('DELETE', path),
    deploy: (xml: string) => request('POST', '/api/process-definitions', xml, 'application/xml'),
  };
}

export type Client = ReturnType<typeof client>;

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The job once it has ended (succeeded, failed or cancelled). */
export function waitForJob(api: Client, id: string, timeoutMs = 30000): Promise<any> {
  return waitFor(
    async () => {
      const job = (await api.get(`/api/jobs/${id}`)).body;
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : null;
    },
    timeoutMs,
    `job ${id} to end`,
  );
}
