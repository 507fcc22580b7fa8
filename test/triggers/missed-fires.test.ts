/**
 * SPEC §10: fires missed while the server was down run once at start-up,
 * within SCHEDULE_MISSED_FIRE_TOLERANCE_MS; older ones do not. The downtime
 * is written into the database (the schedules' last fire was yesterday),
 * then the server really restarts on the same database.
 */
import { bpmnProcess, flow } from '../support/bpmn';
import { createTestDatabase, TestDatabase } from '../support/database';
import { waitFor } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const HOUR = 3600_000;

const review = bpmnProcess(
  'daily-report',
  `<bpmn:startEvent id="start" />
   ${flow('f1', 'start', 'read')}
   <bpmn:userTask id="read" />
   ${flow('f2', 'read', 'end')}
   <bpmn:endEvent id="end" />`,
);

/** A daily cron (UTC) whose fire time was `hoursAgo` hours ago. */
function dailyCronAt(hoursAgo: number): { cron: string; fireAt: Date } {
  const fireAt = new Date(Date.now() - hoursAgo * HOUR);
  fireAt.setUTCSeconds(0, 0);
  return { cron: `${fireAt.getUTCMinutes()} ${fireAt.getUTCHours()} * * *`, fireAt };
}

describe('missed fires at start-up', () => {
  let database: TestDatabase;
  let server: TestServer;
  const env = { SCHEDULE_MISSED_FIRE_TOLERANCE_MS: String(3 * HOUR) };
  const start = () => startTestServer({ database, env });
  const instancesOf = async (businessKey: string) => (await server.api.get(`/api/process-instances?key=daily-report&businessKey=${businessKey}`)).body.items as any[];

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await start();
    expect((await server.api.deploy(review)).status).toBe(201);
  });
  afterAll(async () => {
    await server.stop();
    await database.drop();
  });

  it('runs a daily fire missed an hour ago once, and not one missed five hours ago (tolerance three hours)', async () => {
    const recent = dailyCronAt(1);
    const old = dailyCronAt(5);
    const within = (await server.api.post('/api/schedules', { process: 'daily-report', cron: recent.cron, timezone: 'UTC', businessKey: 'within' })).body;
    const beyond = (await server.api.post('/api/schedules', { process: 'daily-report', cron: old.cron, timezone: 'UTC', businessKey: 'beyond' })).body;
    // Both schedules exist since two days and last fired yesterday; the server "was down" since.
    await server.stagegate.db('schedules')
      .whereIn('id', [within.id, beyond.id])
      .update({ created_at: new Date(Date.now() - 48 * HOUR), fires_from: new Date(Date.now() - 48 * HOUR) });
    await server.stagegate.db('schedules').where({ id: within.id }).update({ last_fire_at: new Date(recent.fireAt.getTime() - 24 * HOUR) });
    await server.stagegate.db('schedules').where({ id: beyond.id }).update({ last_fire_at: new Date(old.fireAt.getTime() - 24 * HOUR) });
    await server.stop();

    server = await start();
    const caughtUp = await waitFor(async () => (await instancesOf('within'))[0], 10000, 'the caught-up instance');
    expect((await server.waitForStatus(caughtUp.id, 'waiting')).userTasks.map((t: any) => t.elementId)).toEqual(['read']);
    const shown = (await server.api.get(`/api/schedules/${within.id}`)).body;
    expect(new Date(shown.lastFireAt).toISOString()).toBe(recent.fireAt.toISOString());
    expect(shown.lastInstanceId).toBe(caughtUp.id);
    expect(shown.recentFires).toEqual([expect.objectContaining({ fireAt: recent.fireAt.toISOString(), instanceId: caughtUp.id, error: null })]);
    expect(new Date(shown.nextFireAt).getTime()).toBe(recent.fireAt.getTime() + 24 * HOUR);

    expect(await instancesOf('beyond')).toEqual([]);
    expect((await server.api.get(`/api/schedules/${beyond.id}`)).body).toMatchObject({ recentFires: [], lastInstanceId: null });

    // Another restart runs nothing again: the fire is recorded.
    await server.stop();
    server = await start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await instancesOf('within')).toHaveLength(1);
    expect(await instancesOf('beyond')).toEqual([]);
  });

  it('does not catch up fires from before a schedule was created or resumed', async () => {
    const recent = dailyCronAt(1);
    const fresh = (await server.api.post('/api/schedules', { process: 'daily-report', cron: recent.cron, timezone: 'UTC', businessKey: 'fresh' })).body;
    const resumed = (await server.api.post('/api/schedules', { process: 'daily-report', cron: recent.cron, timezone: 'UTC', businessKey: 'resumed' })).body;
    await server.stagegate.db('schedules').where({ id: resumed.id }).update({ created_at: new Date(Date.now() - 48 * HOUR), fires_from: new Date(Date.now() - 48 * HOUR) });
    expect((await server.api.post(`/api/schedules/${resumed.id}/pause`)).status).toBe(200);
    expect((await server.api.post(`/api/schedules/${resumed.id}/resume`)).status).toBe(200);
    await server.stop();

    server = await start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await instancesOf('fresh')).toEqual([]);
    expect(await instancesOf('resumed')).toEqual([]);
    expect((await server.api.get(`/api/schedules/${fresh.id}`)).body.lastFireAt).toBeNull();
  });
});
