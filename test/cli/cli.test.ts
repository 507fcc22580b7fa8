import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { insertJob } from '../../src/jobs/job-store';
import { bpmnProcess, flow } from '../support/bpmn';
import { TEST_ADMIN_TOKEN } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { createUser, TestUser } from '../support/users';
import { runCli } from './run-cli';

const review = bpmnProcess(
  'cli-review',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'approve')}
   <bpmn:userTask id="approve" name="Approve the churn model" camunda:candidateGroups="cli-reviewers" />
   ${flow('f2', 'approve', 'gw')}
   <bpmn:exclusiveGateway id="gw" default="f4" />
   ${flow('f3', 'gw', 'approvedEnd', "\${decision == 'approved'}")}
   ${flow('f4', 'gw', 'rejectedEnd')}
   <bpmn:endEvent id="approvedEnd" />
   <bpmn:endEvent id="rejectedEnd" />`,
);

const broken = bpmnProcess(
  'cli-broken',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'quantize')}
   <bpmn:serviceTask id="quantize" camunda:topic="no-such-topic" />
   ${flow('dangling', 'quantize', 'nowhere')}`,
);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('stagegate against a real server', () => {
  let server: TestServer;
  let reviewer: TestUser;
  let starter: TestUser;
  let dir: string;
  let admin: (args: string[]) => ReturnType<typeof runCli>;
  let as: (user: TestUser, args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    server = await startTestServer();
    reviewer = await createUser(server, ['model_approver'], ['cli-reviewers'], 'cli-rita');
    starter = await createUser(server, ['experiment_contributor'], ['data-science'], 'cli-sam');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegate-cli-'));
    fs.writeFileSync(path.join(dir, 'cli-review.bpmn'), review);
    fs.writeFileSync(path.join(dir, 'cli-broken.bpmn'), broken);
    admin = (args) => runCli(args, { url: server.stagegate.url, token: TEST_ADMIN_TOKEN });
    as = (user, args) => runCli(args, { url: server.stagegate.url, token: user.token });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('deploy', () => {
    it('deploys a file, then reports it unchanged', async () => {
      const file = path.join(dir, 'cli-review.bpmn');

      const first = await admin(['deploy', file]);
      expect(first.stderr).toBe('');
      expect(first.stdout).toBe(`${file}: cli-review version 1 deployed\n`);
      expect(first.status).toBe(0);

      const again = await admin(['deploy', file, '--json']);
      expect(JSON.parse(again.stdout)).toEqual([expect.objectContaining({ file, created: false, definition: expect.objectContaining({ key: 'cli-review', version: 1 }) })]);
      expect(again.status).toBe(0);
    });

    it('lists the element ids of a bad file, deploys nothing of it and exits 1', async () => {
      const file = path.join(dir, 'cli-broken.bpmn');

      const run = await admin(['deploy', file]);

      expect(run.stdout).toContain(`${file}: quantize [service-topic]`);
      expect(run.stdout).toMatch(/dangling \[flow-connected\]/);
      expect(run.status).toBe(1);
      expect((await server.api.get('/api/process-definitions/cli-broken')).status).toBe(404);
    });

    it('exits 4 when the user may not deploy', async () => {
      const run = await as(starter, ['deploy', path.join(dir, 'cli-review.bpmn')]);

      expect(run.stderr).toMatch(/definitions:deploy.*HTTP 403/);
      expect(run.status).toBe(4);
    });
  });

  describe('start, instances, tasks', () => {
    let instanceId: string;

    it('starts an instance with typed --var values and a business key', async () => {
      const run = await as(starter, ['start', 'cli-review', '--business-key', 'churn:7', '--var', 'version=7', '--var', 'model=churn', '--var', 'approved=false', '--json']);

      expect(run.status).toBe(0);
      instanceId = JSON.parse(run.stdout).id;
      const instance = await server.waitForStatus(instanceId, 'waiting');
      expect(instance).toMatchObject({ businessKey: 'churn:7', variables: { version: 7, model: 'churn', approved: false } });
    });

    it('lists and shows instances', async () => {
      const list = await admin(['instances', 'list', '--key', 'cli-review']);
      expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+PROCESS\s+BUSINESS KEY\s+STATUS/);
      expect(list.stdout).toContain(`${instanceId}  cli-review v1  churn:7       waiting`);

      const show = await admin(['instances', 'show', instanceId]);
      expect(show.stdout).toMatch(/status:\s+waiting/);
      expect(show.stdout).toMatch(/current:\s+approve/);
      expect(show.status).toBe(0);
    });

    it('exits 3 for an instance that does not exist and 1 for a malformed id', async () => {
      const missing = await admin(['instances', 'show', crypto.randomUUID()]);
      expect(missing.stderr).toMatch(/not found \(HTTP 404 NOT_FOUND\)/);
      expect(missing.status).toBe(3);

      const asJson = await admin(['instances', 'show', crypto.randomUUID(), '--json']);
      expect(JSON.parse(asJson.stderr).error.code).toBe('NOT_FOUND');
      expect(asJson.stdout).toBe('');

      const malformed = await admin(['instances', 'show', 'not-a-uuid']);
      expect(malformed.stderr).toContain('HTTP 400');
      expect(malformed.status).toBe(1);
    });

    it('lets a reviewer list the task of their group, claim it and approve it with a comment', async () => {
      const list = await as(reviewer, ['tasks', 'list', '--group', 'cli-reviewers', '--json']);
      expect(list.status).toBe(0);
      const item = JSON.parse(list.stdout).items.find((t: any) => t.processInstanceId === instanceId);
      expect(item).toMatchObject({ name: 'Approve the churn model', status: 'open' });

      const mine = await as(reviewer, ['tasks', '--mine']);
      expect(mine.stdout).toContain(item.id);
      expect((await as(starter, ['tasks', 'list', '--mine'])).stdout).not.toContain(item.id);

      const claim = await as(reviewer, ['tasks', 'claim', item.id]);
      expect(claim.stdout).toBe(`${item.id}: assigned to ${reviewer.id}\n`);

      const approve = await as(reviewer, ['tasks', 'approve', item.id, '--comment', 'metrics look fine']);
      expect(approve.stdout).toBe(`${item.id}: approved (completed)\n`);
      expect(approve.status).toBe(0);

      const ended = await server.waitForStatus(instanceId, 'completed');
      expect(ended.history.filter((h: any) => h.event === 'end').map((h: any) => h.elementId)).toContain('approvedEnd');
      const shown = await as(reviewer, ['tasks', 'show', item.id, '--json']);
      expect(JSON.parse(shown.stdout)).toMatchObject({ decision: 'approved', comment: 'metrics look fine', status: 'completed' });
    });

    it('exits 5 when the work item is already decided', async () => {
      const [item] = (await server.api.get(`/api/tasks?processInstanceId=${instanceId}`)).body.items;

      const run = await as(reviewer, ['tasks', 'reject', item.id, '--comment', 'too late']);

      expect(run.stderr).toMatch(/is completed \(HTTP 409 CONFLICT\)/);
      expect(run.status).toBe(5);
    });

    it('rejects with a comment, and needs one to reject (usage error)', async () => {
      const started = await as(starter, ['start', 'cli-review', '--json']);
      const id = JSON.parse(started.stdout).id;
      await server.waitForStatus(id, 'waiting');
      const [item] = (await server.api.get(`/api/tasks?processInstanceId=${id}`)).body.items;

      const noComment = await as(reviewer, ['tasks', 'reject', item.id]);
      expect(noComment.stderr).toContain("required option '--comment <text>' not specified");
      expect(noComment.status).toBe(2);

      const outsider = await as(starter, ['tasks', 'reject', item.id, '--comment', 'no']);
      expect(outsider.status).toBe(4);

      const rejected = await as(reviewer, ['tasks', 'reject', item.id, '--comment', 'recall too low']);
      expect(rejected.status).toBe(0);
      const ended = await server.waitForStatus(id, 'completed');
      expect(ended.history.map((h: any) => h.elementId)).toContain('rejectedEnd');
    });

    it('cancels an instance, and exits 5 cancelling it again', async () => {
      const started = await admin(['start', 'cli-review', '--variables', '{"model":"churn"}', '--json']);
      const id = JSON.parse(started.stdout).id;
      await server.waitForStatus(id, 'waiting');

      const cancel = await admin(['instances', 'cancel', id, '--reason', 'superseded']);
      expect(cancel.stdout).toBe(`${id}: cancelled\n`);
      expect((await admin(['instances', 'cancel', id])).status).toBe(5);
    });
  });

  describe('jobs', () => {
    // The job holds at 25% until the watcher has shown that bar (the CLI may start slowly on a busy machine).
    let release = () => {};
    beforeAll(() => {
      server.stagegate.jobs.register('cli-slow', async (io) => {
        io.progress(25);
        io.log('step 25');
        if (!io.job.params.fail) await new Promise<void>((resolve) => (release = resolve));
        for (const percent of [50, 75]) {
          io.progress(percent);
          io.log(`step ${percent}`);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        if (io.job.params.fail) throw new Error('the data ran out');
        return { result: { rows: 3 } };
      });
    });
    const queue = async (type: string, params: Record<string, unknown> = {}) => {
      const job = await insertJob(server.stagegate.db, { type, requestedBy: null, modelId: null, processInstanceId: null, idempotencyKey: null, params });
      server.stagegate.jobs.poke();
      return job.id;
    };

    it('follows a running job with progress lines (stderr is not a terminal) and exits 0 when it succeeds', async () => {
      const id = await queue('cli-slow');

      const run = await runCli(['jobs', 'watch', id, '--interval', '100'], {
        url: server.stagegate.url,
        token: TEST_ADMIN_TOKEN,
        onStderr: (soFar) => soFar.includes('25% cli-slow') && release(),
      });

      const bars = run.stderr.split('\n').filter((line) => line.startsWith('['));
      expect(bars.length).toBeGreaterThanOrEqual(2);
      expect(bars[bars.length - 1]).toBe(`[##############################] 100% cli-slow ${id.slice(0, 8)} succeeded`);
      expect(run.stderr).toContain('step 50');
      expect(run.stderr).not.toContain('\r');
      expect(run.stdout).toBe(`${id}: succeeded\n`);
      expect(run.status).toBe(0);
    });

    it('exits 1 when the watched job fails', async () => {
      const id = await queue('cli-slow', { fail: true });

      const run = await admin(['jobs', 'watch', id, '--json']);

      expect(JSON.parse(run.stdout)).toMatchObject({ id, status: 'failed', error: 'the data ran out' });
      expect(run.status).toBe(1);
    });

    it('lists jobs, cancels a queued one and exits 5 cancelling it again', async () => {
      // No executor for this type: it stays queued.
      const id = await queue('cli-never-runs');

      const list = await admin(['jobs', 'list', '--type', 'cli-never-runs']);
      expect(list.stdout).toMatch(new RegExp(`^${id}\\s+cli-never-runs\\s+queued\\s+0%`, 'm'));

      const cancel = await admin(['jobs', 'cancel', id]);
      expect(cancel.stdout).toBe(`${id}: cancelled\n`);
      const again = await admin(['jobs', 'cancel', id]);
      expect(again.stderr).toContain('HTTP 409');
      expect(again.status).toBe(5);
      expect((await admin(['jobs', 'show', id, '--json'])).stdout).toContain('"status": "cancelled"');
    });
  });

  describe('users', () => {
    it('creates a user, gives them a token by name, and that token works', async () => {
      const created = await admin(['users', 'create', '--name', 'cli-vera', '--email', 'vera@example.com', '--role', 'viewer', '--group', 'audit', '--json']);
      expect(created.status).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ name: 'cli-vera', roles: ['viewer'], groups: ['audit'] });

      const token = await admin(['users', 'token', 'cli-vera', '--name', 'laptop']);
      expect(token.stdout).toMatch(/^\S{24,}\n$/);
      const asVera = await runCli(['tasks', 'list', '--status', 'all'], { url: server.stagegate.url, token: token.stdout.trim() });
      expect(asVera.status).toBe(0);

      const list = await admin(['users', 'list', '--group', 'audit']);
      expect(list.stdout).toMatch(/cli-vera\s+vera@example.com\s+viewer\s+audit\s+yes/);

      expect((await admin(['users', 'token', 'nobody-by-that-name'])).status).toBe(3);
      const bad = await admin(['users', 'create', '--name', 'x', '--email', 'not-an-email', '--role', 'viewer']);
      expect(bad.stderr).toContain('email');
      expect(bad.status).toBe(1);
    });
  });

  describe('deployments, predict and schedules: files and unknown ids', () => {
    it('reads rows from CSV and JSON files before calling the server, and exits 3 for an unknown deployment', async () => {
      fs.writeFileSync(path.join(dir, 'rows.csv'), 'age,income\n41,52000\n29,31000\n');
      fs.writeFileSync(path.join(dir, 'rows.json'), '[{"age":41}]');
      fs.writeFileSync(path.join(dir, 'scalar.json'), '42');

      for (const file of ['rows.csv', 'rows.json']) {
        const run = await admin(['predict', crypto.randomUUID(), '--file', path.join(dir, file)]);
        expect(run.stderr).toContain('HTTP 404');
        expect(run.status).toBe(3);
      }
      const scalar = await admin(['predict', 'd1', '--file', path.join(dir, 'scalar.json')]);
      expect(scalar.stderr).toContain('must hold a JSON object or an array of objects');
      expect(scalar.status).toBe(1);
      const missing = await admin(['predict', 'd1', '--file', path.join(dir, 'nope.csv')]);
      expect(missing.stderr).toContain('cannot read');
      expect(missing.status).toBe(1);
    });

    it.each([
      [['deployments', 'show']],
      [['deployments', 'activate']],
      [['schedules', 'pause']],
      [['schedules', 'delete']],
    ])('%j of an unknown id exits 3', async (args) => {
      const run = await admin([...args, crypto.randomUUID()]);
      expect(run.status).toBe(3);
    });
  });

  describe('failures a script can tell apart', () => {
    it('exits 4 with a bad token and with none (saying how to send one)', async () => {
      const bad = await runCli(['tasks', 'list'], { url: server.stagegate.url, token: 'sg_wrong_token_0000000000000000' });
      expect(bad.stderr).toMatch(/unknown, revoked or expired \(HTTP 401 UNAUTHORIZED\)/);
      expect(bad.status).toBe(4);

      const none = await runCli(['instances'], { url: server.stagegate.url, token: null });
      expect(none.stderr).toContain('set STAGEGATE_TOKEN');
      expect(none.status).toBe(4);
    });

    it('exits 6 when the server cannot be reached', async () => {
      const port = await closedPort();

      const run = await runCli(['jobs', 'list'], { url: `http://127.0.0.1:${port}`, token: TEST_ADMIN_TOKEN });

      expect(run.stderr).toContain(`cannot reach the server at http://127.0.0.1:${port}: ECONNREFUSED`);
      expect(run.status).toBe(6);
    });

    it('takes --url and --token over the environment', async () => {
      const run = await runCli(['--url', server.stagegate.url, 'users', 'list', '--token', TEST_ADMIN_TOKEN], { url: 'http://127.0.0.1:1' });
      expect(run.status).toBe(0);
    });

    it.each([
      ['an unknown command', ['frobnicate']],
      ['an unknown subcommand', ['tasks', 'frobnicate']],
      ['a missing argument', ['tasks', 'approve']],
      ['bad JSON in --variables', ['start', 'cli-review', '--variables', '{oops']],
      ['a --var without =', ['start', 'cli-review', '--var', 'oops']],
      ['predict with neither --row nor --file', ['predict', 'some-deployment']],
      ['predict with a --row that is not an object', ['predict', 'some-deployment', '--row', '[1,2]']],
    ])('exits 2 on a usage error: %s', async (_label, args) => {
      const run = await admin(args);

      expect(run.stderr).not.toBe('');
      expect(run.status).toBe(2);
    });
  });
});
