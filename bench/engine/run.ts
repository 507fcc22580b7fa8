/**
 * `npm run bench`: the engine bench of Stagegate. Everything runs in one
 * invocation on this machine, baselines next to the measurements they are
 * compared with, on 127.0.0.1 only:
 *
 *   (a) durable instances/s, start → service task → end, embedded PGlite,
 *       vs bare bpmn-engine running the same definition in memory;
 *   (b) the same on PostgreSQL vs PostgreSQL's single-row insert+commit rate;
 *   (c) RSS of a server process with N instances waiting on a user task;
 *   (d) time to resume M of them after a restart (a timer due while it was down).
 *
 * Each in-process measurement runs in its own Node process (section.ts).
 * Options: --quick (small sizes, a smoke run), --only=a,b,c (d comes with c),
 * --json=FILE (also write the raw results). Environment: BENCH_CLIENTS, BENCH_ROUNDS
 * (rounds of (a)) and the sizes BENCH_BASELINE, BENCH_EMBEDDED, BENCH_POSTGRES,
 * BENCH_WAITING, BENCH_RESUME;
 * BENCH_ADMIN_URL (PostgreSQL admin URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { ThroughputResult } from './baseline-bpmn-engine';
import { createFreshDatabase, serverVersion, storageStats } from './postgres';
import { mb, perSecond, ratio, seconds, table, verdict } from './report';
import { measureResume, ResumeResult } from './resume';
import { measureRounds, median, Round } from './throughput-rounds';
import { benchEnv } from './stagegate';
import { log, now, removeDir, runSection, tempDir } from './util';
import { measureIdleRss, measureWaitingMemory, MemorySample, WaitingMemoryResult } from './waiting-memory';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = new Set((args.find((a) => a.startsWith('--only='))?.slice(7) ?? 'a,b,c').split(','));
if (only.has('d')) only.add('c');
const jsonFile = args.find((a) => a.startsWith('--json='))?.slice(7);
const size = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));

/**
 * Clients in flight, equal to the runner's default concurrency (16): each
 * start runs its instance's first run in a runner slot (more clients than
 * slots take the queued path, which the bench does not mean to measure).
 */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const sizes = {
  baseline: size('BENCH_BASELINE', 1500, 500),
  embedded: size('BENCH_EMBEDDED', 600, 200),
  postgres: size('BENCH_POSTGRES', 600, 200),
  rounds: size('BENCH_ROUNDS', 5, 1),
  commitSeconds: quick ? 2 : 5,
  waiting: size('BENCH_WAITING', 10000, 1000),
  resume: size('BENCH_RESUME', 1000, 200),
};
const MINUTE = 60000;

interface Results {
  machine: Record<string, string | number>;
  sizes: typeof sizes;
  clients: number;
  baselineXml?: ThroughputResult;
  /** (a): bare bpmn-engine parsed once and Stagegate on PGlite, measured back to back. */
  rounds?: Round[];
  embeddedIdle?: MemorySample & { startSeconds: number };
  commits?: ThroughputResult;
  postgres?: ThroughputResult;
  waiting?: WaitingMemoryResult;
  storage?: { databaseBytes: number; engineStateBytes: number; waiting: number };
  resume?: ResumeResult;
  errors: string[];
  totalSeconds?: number;
  /** 1-minute load average before and after: other work on the machine skews every number. */
  load?: { before: number; after: number };
}

/** Runs one part; a failure is reported and the bench goes on. */
async function attempt(results: Results, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    results.errors.push(message);
    log(`FAILED ${message}`);
  }
}

async function main(): Promise<void> {
  const began = now();
  const cpus = os.cpus();
  const results: Results = {
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? 'unknown',
      memory: mb(os.totalmem()),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    sizes,
    clients: CLIENTS,
    errors: [],
  };
  const loadBefore = os.loadavg()[0];
  log(`machine: ${cpus.length} × ${results.machine.cpuModel}, ${results.machine.memory}, Node ${process.version}, load ${loadBefore.toFixed(2)}`);
  if (loadBefore > 0.5) log(`warning: load average ${loadBefore.toFixed(2)}: other processes compete for the CPUs; numbers will be low and noisy`);

  if (only.has('a')) {
    const dataDir = tempDir('embedded');
    try {
      await attempt(results, '(a) embedded PGlite', async () => {
        results.rounds = await measureRounds({
          rounds: sizes.rounds,
          baselineCount: sizes.baseline,
          stagegateCount: sizes.embedded,
          clients: CLIENTS,
          dataDir,
        });
        log(`(a) baseline: bare bpmn-engine, ${sizes.baseline} instances, XML parsed per instance`);
        results.baselineXml = await runSection('baseline', { mode: 'xml-per-instance', count: sizes.baseline, clients: CLIENTS }, 2 * MINUTE);
        log('(a) idle RSS of a server process on that embedded database');
        results.embeddedIdle = await measureIdleRss(benchEnv(dataDir));
      });
    } finally {
      removeDir(dataDir);
    }
  }

  let postgres = only.has('b') || only.has('c');
  if (postgres) {
    const probe = await createFreshDatabase();
    if ('unavailable' in probe) {
      results.errors.push(`PostgreSQL unavailable, (b), (c), (d) skipped: ${probe.unavailable}`);
      log(results.errors[results.errors.length - 1]);
      postgres = false;
    } else {
      results.machine.postgres = await serverVersion(probe.url);
      await probe.drop();
    }
  }

  if (postgres && only.has('b')) {
    const database = await createFreshDatabase();
    if ('unavailable' in database) throw new Error(database.unavailable);
    const dataDir = tempDir('postgres');
    try {
      await attempt(results, '(b) PostgreSQL', async () => {
        log(`(b) baseline: single-row jsonb insert+commit, one pg client, ${sizes.commitSeconds} s`);
        results.commits = await runSection('commits', { url: database.url, seconds: sizes.commitSeconds }, MINUTE);
        const warmup = Math.ceil(sizes.postgres / 10);
        log(`(b) Stagegate on PostgreSQL: ${sizes.postgres} instances (+${warmup} warm-up)`);
        results.postgres = await runSection(
          'durable',
          { dataDir, databaseUrl: database.url, count: sizes.postgres, warmup, concurrency: CLIENTS },
          5 * MINUTE,
        );
      });
    } finally {
      await database.drop();
      removeDir(dataDir);
    }
  }

  if (postgres && only.has('c')) {
    const database = await createFreshDatabase();
    if ('unavailable' in database) throw new Error(database.unavailable);
    const dataDir = tempDir('server');
    const env = benchEnv(dataDir, database.url);
    let server: { stop(): Promise<void> } | null = null;
    try {
      await attempt(results, '(c)/(d) server process', async () => {
        log(`(c) server process on PostgreSQL: starting ${sizes.waiting} instances that wait on a user task (${sizes.resume} with a timer for (d))`);
        const setup = await measureWaitingMemory(env, { count: sizes.waiting, withTimer: sizes.resume, clients: CLIENTS }, log);
        server = setup.server;
        results.waiting = setup.result;
        results.storage = await storageStats(database.url);
        log(`(d) stop; ${sizes.resume} timers come due while it is down; restart; wait until those instances are completed`);
        const resumed = await measureResume(setup.server, env, sizes.resume, setup.dueAt);
        server = resumed.server;
        results.resume = resumed.result;
      });
    } finally {
      await (server as { stop(): Promise<void> } | null)?.stop().catch(() => undefined);
      await database.drop();
      removeDir(dataDir);
    }
  }

  results.totalSeconds = (now() - began) / 1000;
  results.load = { before: loadBefore, after: os.loadavg()[0] };
  process.stdout.write(`${render(results)}\n`);
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  if (results.errors.length) process.exitCode = 1;
}

function render(r: Results): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `## Stagegate engine bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memory} RAM, Node ${m.node}, ${m.platform}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}.`,
    `Clients in flight: ${r.clients} (runner concurrency: Stagegate's default 16). Total bench time: ${seconds(r.totalSeconds ?? 0)}. ` +
      `Load average (1 min) before/after: ${r.load?.before.toFixed(2)}/${r.load?.after.toFixed(2)}.`,
    '',
  );

  const rows: string[][] = [];
  for (const [i, round] of (r.rounds ?? []).entries()) {
    const { baseline, stagegate } = round;
    rows.push([`(a) round ${i + 1} baseline`, 'bare bpmn-engine in memory, definition parsed once', `${baseline.instances} in ${seconds(baseline.seconds)}`, perSecond(baseline.perSecond), '', '']);
    rows.push([`(a) round ${i + 1} Stagegate`, 'durable, embedded PGlite, counted `completed` in the DB', `${stagegate.instances} in ${seconds(stagegate.seconds)}`, perSecond(stagegate.perSecond), ratio(round.ratio), '']);
  }
  if (r.rounds?.length) {
    const strict = median(r.rounds.map((round) => round.ratio));
    rows.push(['(a) Stagegate', `median of ${r.rounds.length} rounds`, '', '', ratio(strict), `≥ 0.5: ${verdict(strict >= 0.5)}`]);
  }
  if (r.baselineXml) {
    const stagegate = median((r.rounds ?? []).map((round) => round.stagegate.perSecond));
    rows.push(['(a) baseline', 'bare bpmn-engine in memory, XML parsed per instance', `${r.baselineXml.instances} in ${seconds(r.baselineXml.seconds)}`, perSecond(r.baselineXml.perSecond), r.rounds?.length ? `(median Stagegate ÷ this: ${ratio(stagegate / r.baselineXml.perSecond)})` : '', '']);
  }
  if (r.commits) {
    rows.push(['(b) baseline', 'PostgreSQL single-row jsonb insert+commit, 1 pg client', `${r.commits.instances} in ${seconds(r.commits.seconds)}`, perSecond(r.commits.perSecond), '', '']);
  }
  if (r.postgres) {
    rows.push([
      '(b) Stagegate',
      'durable, PostgreSQL, counted `completed` in the DB',
      `${r.postgres.instances} in ${seconds(r.postgres.seconds)}`,
      perSecond(r.postgres.perSecond),
      [
        r.commits ? ratio(r.postgres.perSecond / r.commits.perSecond) : '',
        r.rounds?.length ? `(vs bpmn-engine parsed once, median: ${ratio(r.postgres.perSecond / median(r.rounds.map((round) => round.baseline.perSecond)))})` : '',
      ].join(' '),
      'reported',
    ]);
  }
  if (rows.length) {
    out.push('### Throughput: start → service task (no-op handler) → end', '', table(['', 'what', 'instances', 'rate', 'Stagegate ÷ baseline', 'goal'], rows), '');
  }
  if (r.embeddedIdle) {
    const e = r.embeddedIdle;
    out.push(
      `Embedded PGlite server process, idle on the (a) database: RSS ${mb(e.rss)} (heap used ${mb(e.heapUsed)}, external ${mb(e.external)}: PGlite's WASM memory lives in the server process); start ${seconds(e.startSeconds)}.`,
      '',
    );
  }

  if (r.waiting) {
    const w = r.waiting;
    const mem = (s: MemorySample) => [mb(s.rss), mb(s.heapUsed), mb(s.heapTotal), mb(s.external)];
    out.push(
      `### (c) Server process RSS, ${w.count} instances waiting on a user task (PostgreSQL)`,
      '',
      table(
        ['when', 'RSS', 'heap used', 'heap total', 'external'],
        [
          ['idle, before starting instances', ...mem(w.before)],
          [`${w.count} waiting (idle 2 s after the last)`, ...mem(w.after)],
          ['same, after a forced full GC', ...mem(w.afterGc)],
          ['peak RSS (VmHWM) while starting them', mb(w.peakRss), '', '', ''],
        ],
      ),
      '',
      `RSS while starting them: ${w.rssCurve.map((p) => `${p.started} → ${mb(p.rss)}`).join(', ')}.`,
      '',
      `Goal: RSS under 300 MB with ${w.count} waiting: ${verdict(w.after.rss < 300 * 1024 * 1024)} (${mb(w.after.rss)}; ${mb(w.after.rss - w.before.rss)} above idle). ` +
        `Started over REST at ${perSecond(w.startedPerSecond)} (${seconds(w.startSeconds)}).`,
      '',
    );
    if (r.storage) {
      out.push(
        `In PostgreSQL: database ${mb(r.storage.databaseBytes)} for ${r.storage.waiting} waiting instances; stored engine state ${(r.storage.engineStateBytes / 1024).toFixed(1)} KB per instance (mean, as stored).`,
        '',
      );
    }
  }
  if (r.resume) {
    const d = r.resume;
    out.push(
      `### (d) Resume ${d.count} instances after a restart (PostgreSQL, ${r.waiting ? r.waiting.count - d.count : '?'} others still waiting)`,
      '',
      table(
        ['step', 'time'],
        [
          ['stop the server (SIGTERM → exit)', seconds(d.stopSeconds)],
          [`down (their boundary timers come due meanwhile)`, seconds(d.downSeconds)],
          ['restart: spawn → listening', seconds(d.listeningSeconds)],
          [`restart: spawn → all ${d.count} completed in the DB`, seconds(d.totalSeconds)],
          ['resume rate after listening', perSecond(d.resumedPerSecond)],
          ['RSS of the restarted server afterwards', mb(d.rssAfter)],
        ],
      ),
      '',
    );
  }
  if (r.errors.length) out.push('### Errors', '', ...r.errors.map((e) => `- ${e}`), '');
  return out.join('\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
