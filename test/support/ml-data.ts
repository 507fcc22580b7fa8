/** Realistic CSV for model, dataset and job tests: the credit-risk generator, uploaded over real HTTP. */
import { generateCreditRisk, toCsv, type Row } from '../../src/ml';
import { TEST_ADMIN_TOKEN, type Reply } from './http';

export interface CreditData {
  rows: Row[];
  csv: string;
}

/** `rows` loan applications (label `default`, timestamp `applied_at`, protected `gender`) and their CSV. */
export function creditRisk(rows: number, seed: number, options: { drift?: number; start?: Date; end?: Date } = {}): CreditData {
  const data = generateCreditRisk({ rows, seed, ...options });
  return { rows: data, csv: toCsv(data) };
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('application/json') && text ? JSON.parse(text) : text;
  return { status: response.status, body: json, headers: response.headers };
}

/** POSTs CSV to a dataset: as text/csv (default), multipart field "file", or a chunked stream without content-length. */
export async function uploadCsv(
  baseUrl: string,
  datasetId: string,
  csv: string,
  options: { token?: string; mode?: 'text' | 'multipart' | 'stream'; contentType?: string; field?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? TEST_ADMIN_TOKEN}` };
  const url = `${baseUrl}/api/datasets/${datasetId}/rows`;
  if (options.mode === 'multipart') {
    const form = new FormData();
    form.append('note', 'ignored');
    form.append(options.field ?? 'file', new Blob([csv], { type: 'text/csv' }), 'data.csv');
    return reply(await fetch(url, { method: 'POST', headers, body: form }));
  }
  headers['content-type'] = options.contentType ?? 'text/csv';
  if (options.mode === 'stream') {
    const bytes = new TextEncoder().encode(csv);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) controller.enqueue(bytes.slice(offset, offset + 64 * 1024));
        controller.close();
      },
    });
    return reply(await fetch(url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit));
  }
  return reply(await fetch(url, { method: 'POST', headers, body: csv }));
}
