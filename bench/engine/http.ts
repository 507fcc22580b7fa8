/** A minimal JSON client for the spawned server's REST API (127.0.0.1 only), authenticated with the bench's admin token. */
export interface Api {
  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  get<T = unknown>(path: string): Promise<T>;
  /** How many instances of `key` have `status` (GET /api/process-instances total). */
  count(key: string, status: string): Promise<number>;
}

export function api(baseUrl: string, token: string): Api {
  const headers = { authorization: `Bearer ${token}` };
  const client: Api = {
    async post<T>(path: string, body: unknown) {
      const response = await fetch(baseUrl + path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async get<T>(path: string) {
      const response = await fetch(baseUrl + path, { headers });
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async count(key, status) {
      const page = await client.get<{ total: number }>(`/api/process-instances?key=${key}&status=${status}&limit=1`);
      return page.total;
    },
  };
  return client;
}
