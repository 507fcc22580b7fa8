/** A minimal JSON client for the spawned server's REST API (127.0.0.1 only). */
export async function postJson<T = unknown>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** How many instances of `key` have `status` (GET /api/process-instances total). */
export async function countInstances(baseUrl: string, key: string, status: string): Promise<number> {
  const page = await getJson<{ total: number }>(`${baseUrl}/api/process-instances?key=${key}&status=${status}&limit=1`);
  return page.total;
}
