import fs from 'node:fs';
import path from 'node:path';
import { bpmnProcess, flow } from '../support/bpmn';
import { TEST_ADMIN_TOKEN } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'bpmn');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

const simple = (name: string) =>
  bpmnProcess('versioned', `<bpmn:startEvent id="start" name="${name}" />${flow('f1', 'start', 'end')}<bpmn:endEvent id="end" />`);

describe('process definitions over REST', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('versions by key, does not redeploy identical content, and serves each version and its XML', async () => {
    const first = await server.api.deploy(simple('v1'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, definition: { key: 'versioned', version: 1, source: 'api' } });
    const same = await server.api.deploy(simple('v1'));
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ created: false, definition: { version: 1, id: first.body.definition.id } });
    const second = await server.api.deploy(simple('v2'));
    expect(second.body.definition.version).toBe(2);

    const latest = await server.api.get('/api/process-definitions/versioned');
    expect(latest.body).toMatchObject({ version: 2, versions: [2, 1] });
    expect((await server.api.get('/api/process-definitions/versioned?version=1')).body.id).toBe(first.body.definition.id);
    const xml = await server.api.get('/api/process-definitions/versioned/xml?version=1');
    expect(xml.headers.get('content-type')).toContain('application/xml');
    expect(xml.body).toBe(simple('v1'));
    const list = await server.api.get('/api/process-definitions');
    expect(list.body.items.filter((d: any) => d.key === 'versioned').map((d: any) => d.version)).toEqual([2]);
  });

  it('keeps running instances on the version they started with', async () => {
    const key = 'pinned';
    const waiting = (name: string) => bpmnProcess(key, `<bpmn:startEvent id="start" />${flow('f1', 'start', 'task')}<bpmn:userTask id="task" name="${name}" />${flow('f2', 'task', 'end')}<bpmn:endEvent id="end" />`);
    await server.api.deploy(waiting('first'));
    const started = await server.api.post(`/api/process-definitions/${key}/start`, {});
    await server.waitForStatus(started.body.id, 'waiting');
    await server.api.deploy(waiting('second'));
    const instance = await server.api.get(`/api/process-instances/${started.body.id}`);
    expect(instance.body.definitionVersion).toBe(1);
    const [task] = (await server.api.get(`/api/tasks?processInstanceId=${started.body.id}`)).body.items;
    expect(task.name).toBe('first');
    await server.api.post(`/api/tasks/${task.id}/complete`, {});
    await server.waitForStatus(started.body.id, 'completed');
    const next = await server.api.post(`/api/process-definitions/${key}/start`, {});
    expect((await server.waitForStatus(next.body.id, 'waiting')).definitionVersion).toBe(2);
  });

  it('accepts a multipart upload (field "file") and names the file in errors', async () => {
    const form = new FormData();
    form.append('file', new Blob([fixture('external-topic.bpmn')], { type: 'application/xml' }), 'external-topic.bpmn');
    const ok = await fetch(`${server.stagegate.url}/api/process-definitions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(ok.status).toBe(201);

    const badForm = new FormData();
    badForm.append('file', new Blob([fixture('unconnected-flow.bpmn')]), 'unconnected-flow.bpmn');
    const bad = await fetch(`${server.stagegate.url}/api/process-definitions`, { method: 'POST', body: badForm, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const body: any = await bad.json();
    expect(bad.status).toBe(400);
    expect(body.error.code).toBe('INVALID_BPMN');
    expect(body.error.details.problems[0].file).toBe('unconnected-flow.bpmn');
  });

  it.each([
    ['malformed.bpmn', 'xml-well-formed'],
    ['dtd-external-entity.bpmn', 'xml-no-dtd'],
    ['dtd-billion-laughs.bpmn', 'xml-no-dtd'],
    ['unconnected-flow.bpmn', 'flow-connected'],
    ['unknown-topic.bpmn', 'service-topic'],
    ['script-task.bpmn', 'script-task'],
    ['gateway-missing-condition.bpmn', 'gateway-outgoing'],
    ['non-executable.bpmn', 'executable'],
  ])('rejects %s with 400 naming rule %s, stores nothing and stays healthy', async (file, rule) => {
    const before = (await server.api.get('/api/process-definitions')).body.items.length;
    const reply = await server.api.deploy(fixture(file));
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('INVALID_BPMN');
    expect(reply.body.error.details.problems.map((p: any) => p.rule)).toContain(rule);
    for (const problem of reply.body.error.details.problems) expect(problem).toEqual(expect.objectContaining({ rule: expect.any(String), message: expect.any(String) }));
    expect((await server.api.get('/api/process-definitions')).body.items.length).toBe(before);
    expect((await server.api.get('/api/health')).status).toBe(200);
  });

  it('reports every problem of a file at once with element ids', async () => {
    const reply = await server.api.deploy(fixture('several-problems.bpmn'));
    expect(reply.status).toBe(400);
    const problems = reply.body.error.details.problems;
    expect(problems.length).toBeGreaterThan(2);
    expect(problems.every((p: any) => typeof p.elementId === 'string')).toBe(true);
  });

  it('answers 4xx for empty, non-XML, oversize and unknown-key requests', async () => {
    expect((await server.api.deploy('')).status).toBe(400);
    expect((await server.api.request('POST', '/api/process-definitions', { xml: '<x/>' })).status).toBe(400);
    expect((await server.api.deploy('just text')).status).toBe(400);
    const huge = await server.api.deploy(`<x>${'a'.repeat(2 * 1024 * 1024)}</x>`);
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await server.api.get('/api/process-definitions/unknown-key')).status).toBe(404);
    expect((await server.api.get('/api/process-definitions/unknown-key/xml')).status).toBe(404);
    expect((await server.api.get('/api/process-definitions/versioned?version=abc')).status).toBe(400);
  });

  it('serves the OpenAPI document generated from the request schemas, and Swagger UI', async () => {
    const doc = await server.api.get('/api/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/process-definitions/{key}/start', '/api/external-tasks/fetch-and-lock', '/api/incidents/{id}/retry']));
    expect(doc.body.paths['/api/process-definitions/{key}/start'].post.requestBody.content['application/json'].schema).toBeDefined();
    const docs = await fetch(`${server.stagegate.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });
});
