import { parse } from 'csv-parse/sync';
import { creditRisk, uploadCsv } from '../support/ml-data';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';

const MAX_UPLOAD_BYTES = 1_000_000;

describe('datasets: streamed CSV upload, schema, windows, export', () => {
  let server: TestServer;
  const data = creditRisk(600, 11);
  const more = creditRisk(200, 12, { start: new Date('2025-02-01T00:00:00Z'), end: new Date('2025-02-10T00:00:00Z') });
  let datasetId: string;

  const createDataset = async (name: string, extra: Record<string, unknown> = {}) => {
    const created = await server.api.post('/api/datasets', { name, labelColumn: 'default', timestampColumn: 'applied_at', ...extra });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const dataset = async (id = datasetId) => (await server.api.get(`/api/datasets/${id}`)).body;
  const auditCount = async (id: string) => (await server.api.get(`/api/audit?entityType=dataset&entityId=${id}&limit=500`)).body.total;

  beforeAll(async () => {
    server = await startTestServer({ env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
    datasetId = await createDataset('credit');
  });
  afterAll(() => server.close());

  it('infers the schema on the first upload and appends later uploads (text/csv, multipart)', async () => {
    const first = await uploadCsv(server.stagegate.url, datasetId, data.csv);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ appended: 600, dataset: { rowCount: 600, uploadCount: 1 } });
    const kinds = Object.fromEntries((await dataset()).schema.map((column: any) => [column.name, column.kind]));
    expect(kinds).toEqual({
      applied_at: 'timestamp', age: 'numeric', gender: 'categorical', region: 'categorical', employment: 'categorical',
      income: 'numeric', debt_ratio: 'numeric', loan_amount: 'numeric', credit_score: 'numeric', default: 'numeric',
    });

    const second = await uploadCsv(server.stagegate.url, datasetId, more.csv, { mode: 'multipart' });
    expect(second.status).toBe(201);
    expect(await dataset()).toMatchObject({ rowCount: 800, uploadCount: 2, labelColumn: 'default', timestampColumn: 'applied_at' });
    const audit = await server.api.get(`/api/audit?entityType=dataset&entityId=${datasetId}`);
    expect(audit.body.items.map((event: any) => event.action)).toEqual(['dataset.append', 'dataset.append', 'dataset.create']);
  });

  it('selects rows in a time window over the timestamp column, and exports them as CSV', async () => {
    const from = '2025-01-10T00:00:00Z';
    const to = '2025-01-20T00:00:00Z';
    const expected = data.rows.filter((row) => String(row.applied_at) >= '2025-01-10' && String(row.applied_at) < '2025-01-20');
    const page = await server.api.get(`/api/datasets/${datasetId}/rows?from=${from}&to=${to}&limit=500`);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(expected.length);
    // Cells of numeric columns are stored as numbers (the label "0"/"1" too).
    expect(page.body.items[0].data).toEqual({ ...expected[0], default: Number(expected[0].default) });

    const exported = await server.api.get(`/api/datasets/${datasetId}/rows.csv?from=${from}&to=${to}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const records = parse(exported.body, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.applied_at)).toEqual(expected.map((r) => r.applied_at));
    expect(records[3]).toEqual(Object.fromEntries(Object.entries(expected[3]).map(([k, v]) => [k, String(v)])));

    const all = await server.api.get(`/api/datasets/${datasetId}/rows.csv`);
    expect(parse(all.body, { columns: true })).toHaveLength(800);
    const relative = await server.api.get(`/api/datasets/${datasetId}/rows?from=-P1D&to=now`);
    expect(relative.body.total).toBe(0);
  });

  it('rejects bad uploads with a 4xx naming the problem and stores nothing', async () => {
    const lines = data.csv.trimEnd().split('\r\n');
    const header = lines[0];
    const body = lines.slice(1, 50);
    const replaceCell = (line: string, index: number, value: string) => line.split(',').map((cell, i) => (i === index ? value : cell)).join(',');
    const bad: [string, string, RegExp][] = [
      ['ragged row', [header, ...body.slice(0, 10), '2025-01-03T00:00:00Z,41,male', ...body.slice(10)].join('\n'), /line 12/],
      ['text in a numeric column', [header, ...body.slice(0, 20), replaceCell(body[20], 5, 'lots'), ...body.slice(21)].join('\n'), /line 22, column "income": "lots" is not a number/],
      ['missing label column', [header.replace(',default', ''), ...body.map((l) => l.slice(0, l.lastIndexOf(',')))].join('\n'), /label column "default" is missing/],
      ['empty file', '', /empty/],
      ['header only', `${header}\n`, /no rows/],
      ['extra column', [`${header},extra`, ...body.map((l) => `${l},1`)].join('\n'), /unexpected "extra"/],
      ['unlabeled row', [header, ...body.slice(0, 5), replaceCell(body[5], 9, ''), ...body.slice(6)].join('\n'), /line 7: the label column "default" is empty/],
      ['bad timestamp', [header, replaceCell(body[0], 0, 'yesterday-ish'), ...body.slice(1)].join('\n'), /column "applied_at": "yesterday-ish" is not a date/],
      ['duplicate header', [header.replace('age', 'gender'), ...body].join('\n'), /names column "gender" twice/],
    ];
    const before = await auditCount(datasetId);
    for (const [what, csv, message] of bad) {
      const reply = await uploadCsv(server.stagegate.url, datasetId, csv);
      expect({ what, status: reply.status }).toEqual({ what, status: 400 });
      expect(reply.body.error.code).toBe('INVALID_CSV');
      expect(reply.body.error.message).toMatch(message);
    }
    // A bad line after several inserted batches: the whole upload is rolled back.
    const late = creditRisk(5000, 13);
    const lateLines = late.csv.trimEnd().split('\r\n');
    lateLines[4990] = replaceCell(lateLines[4990], 1, 'forty');
    const rolledBack = await uploadCsv(server.stagegate.url, datasetId, lateLines.join('\n'), { mode: 'stream' });
    expect(rolledBack.status).toBe(400);
    expect(rolledBack.body.error.message).toMatch(/line 4991, column "age"/);

    expect(await dataset()).toMatchObject({ rowCount: 800, uploadCount: 2 });
    expect((await server.api.get(`/api/datasets/${datasetId}/rows?limit=1`)).body.total).toBe(800);
    expect(await auditCount(datasetId)).toBe(before);
  });

  it('refuses oversize uploads (declared or streamed), wrong content types and unknown datasets', async () => {
    const big = creditRisk(15000, 14).csv;
    expect(big.length).toBeGreaterThan(MAX_UPLOAD_BYTES);
    const declared = await uploadCsv(server.stagegate.url, datasetId, big);
    expect(declared.status).toBe(413);
    expect(declared.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await uploadCsv(server.stagegate.url, datasetId, big, { mode: 'stream' });
    expect(streamed.status).toBe(413);
    const json = await uploadCsv(server.stagegate.url, datasetId, '{"a":1}', { contentType: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const noFile = await uploadCsv(server.stagegate.url, datasetId, data.csv, { mode: 'multipart', field: 'upload' });
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.message).toMatch(/field "file"/);
    expect((await uploadCsv(server.stagegate.url, '00000000-0000-4000-8000-000000000000', data.csv)).status).toBe(404);
    expect((await uploadCsv(server.stagegate.url, 'not-a-uuid', data.csv)).status).toBe(400);
    expect(await dataset()).toMatchObject({ rowCount: 800 });
    // The server still serves.
    expect((await server.api.get('/api/health')).status).toBe(200);
  });

  it('validates dataset creation and filters (SQL-ish strings are just strings)', async () => {
    expect((await server.api.post('/api/datasets', { name: 'x', labelColumn: 'a', timestampColumn: 'a' })).status).toBe(400);
    expect((await server.api.post('/api/datasets', { name: 'credit', labelColumn: 'default' })).status).toBe(409);
    expect((await server.api.post('/api/datasets', { name: 'y', labelColumn: 'default', rogue: 1 })).status).toBe(400);
    const sqlish = await server.api.get(`/api/datasets?name=${encodeURIComponent("credit' OR '1'='1")}`);
    expect(sqlish.status).toBe(200);
    expect(sqlish.body.total).toBe(0);
    const badWindow = await server.api.get(`/api/datasets/${datasetId}/rows?from=${encodeURIComponent("1' OR '1'='1")}`);
    expect(badWindow.status).toBe(400);
    expect(badWindow.body.error.message).toMatch(/from: .* is not a time/);
    expect((await server.api.get(`/api/datasets/${datasetId}/rows?limit=100000`)).status).toBe(400);
  });

  it('without a timestamp column, windows are over the upload time', async () => {
    const id = (await server.api.post('/api/datasets', { name: 'no-time', labelColumn: 'default' })).body.id;
    const before = new Date().toISOString();
    expect((await uploadCsv(server.stagegate.url, id, creditRisk(50, 15).csv)).status).toBe(201);
    const kinds = (await dataset(id)).schema.map((c: any) => c.kind);
    expect(kinds[0]).toBe('categorical'); // applied_at is just text here
    expect((await server.api.get(`/api/datasets/${id}/rows?from=${before}`)).body.total).toBe(50);
    expect((await server.api.get(`/api/datasets/${id}/rows?to=${before}`)).body.total).toBe(0);
  });

  describe('permissions', () => {
    let alice: TestUser;
    let bob: TestUser;
    let viewer: TestUser;
    beforeAll(async () => {
      alice = await createUser(server, ['experiment_contributor']);
      bob = await createUser(server, ['experiment_contributor']);
      viewer = await createUser(server, ['viewer']);
    });

    it('contributors see and change only their own datasets; viewers read all and write none', async () => {
      const own = await alice.api.post('/api/datasets', { name: 'alice-data', labelColumn: 'default' });
      expect(own.status).toBe(201);
      expect((await uploadCsv(server.stagegate.url, own.body.id, data.csv, { token: alice.token })).status).toBe(201);
      expect((await bob.api.get(`/api/datasets/${own.body.id}`)).status).toBe(403);
      const bobUpload = await uploadCsv(server.stagegate.url, own.body.id, data.csv, { token: bob.token });
      expect(bobUpload.status).toBe(403);
      expect(bobUpload.body.error.message).toMatch(/you may change only the datasets you created/);
      expect((await bob.api.get('/api/datasets')).body.items).toEqual([]);
      expect((await alice.api.get('/api/datasets')).body.items.map((d: any) => d.name)).toEqual(['alice-data']);
      expect((await viewer.api.get(`/api/datasets/${own.body.id}`)).status).toBe(200);
      expect((await viewer.api.post('/api/datasets', { name: 'v', labelColumn: 'default' })).status).toBe(403);
      expect((await uploadCsv(server.stagegate.url, own.body.id, data.csv, { token: viewer.token })).status).toBe(403);
      expect((await dataset(own.body.id)).rowCount).toBe(600);
    });

    it('contributors see their own and shared datasets, read shared rows, and change only their own', async () => {
      const shared = await alice.api.post('/api/datasets', { name: 'alice-shared', labelColumn: 'default', shared: true });
      expect(shared.body.shared).toBe(true);
      expect((await uploadCsv(server.stagegate.url, shared.body.id, data.csv, { token: alice.token })).status).toBe(201);
      const bobs = (await bob.api.post('/api/datasets', { name: 'bob-private', labelColumn: 'default' })).body;
      const names = async (user: TestUser) => (await user.api.get('/api/datasets')).body.items.map((d: any) => d.name).sort();
      expect(await names(bob)).toEqual(['alice-shared', 'bob-private']);
      expect(await names(alice)).toEqual(['alice-data', 'alice-shared']);
      expect((await bob.api.get(`/api/datasets/${shared.body.id}/rows?limit=5`)).body.total).toBe(600);
      expect((await bob.api.get(`/api/datasets/${shared.body.id}/rows.csv`)).status).toBe(200);
      // Read only for the others.
      expect((await uploadCsv(server.stagegate.url, shared.body.id, data.csv, { token: bob.token })).status).toBe(403);
      expect((await bob.api.request('PATCH', `/api/datasets/${shared.body.id}`, { shared: false })).status).toBe(403);
      // The creator unshares; an administrator shares; bad changes are 400.
      expect((await alice.api.request('PATCH', `/api/datasets/${shared.body.id}`, { shared: false })).body.shared).toBe(false);
      expect((await bob.api.get(`/api/datasets/${shared.body.id}`)).status).toBe(403);
      expect((await server.api.request('PATCH', `/api/datasets/${bobs.id}`, { shared: true, description: 'for everyone' })).body).toMatchObject({ shared: true, description: 'for everyone' });
      expect(await names(alice)).toEqual(['alice-data', 'alice-shared', 'bob-private']);
      for (const bad of [{}, { shared: 'yes' }, { name: 'renamed' }]) {
        const reply = await server.api.request('PATCH', `/api/datasets/${bobs.id}`, bad);
        expect({ bad, status: reply.status }).toEqual({ bad, status: 400 });
        expect(reply.body.error.code).toBe('VALIDATION_ERROR');
      }
      expect((await server.api.request('PATCH', '/api/datasets/00000000-0000-4000-8000-000000000000', { shared: true })).status).toBe(404);
      const audit = (await server.api.get(`/api/audit?entityType=dataset&entityId=${shared.body.id}`)).body.items.map((e: any) => e.action);
      expect(audit).toEqual(['dataset.update', 'dataset.append', 'dataset.create']);
    });
  });
});
