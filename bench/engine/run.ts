/**
 * `npm run bench`: the engine bench of Stagegate. Everything runs in one
 * invocation on this machine, baselines next to the measurements they are
 * compared with, on 127.0.0.1 only:
 *
 *   (a) durable instances/s, start → service task → end, embedded PGlite,
 *       vs bare bpmn-engine running the same definition in memory;
 *   (b) the same on PostgreSQL vs PostgreSQL's single-row insert+commit rate;
 *   (c) RSS of a server process with N instances waiting on a user task;
 *   (d) time to resume M of them after a restart.
 *
 * Options: --quick (small sizes, for a smoke run), --only=a,b,c,d,
 * --json=FILE (also write the raw results). Sizes can be overridden with
 * BENCH_BASELINE, BENCH_EMBEDDED, BENCH_POSTGRES, BENCH_WAITING, BENCH_RESUME.
 */
import fs from 'node:fs';
import os from 'node:os';
import { measureBpmnEngine, ThroughputResult } from './baseline-bpmn-engine';
import { measureSingleRowCommits } from './baseline-pg-inserts';
import { measureDurable } from './durable-throughput';
import { createFreshDatabase, serverVersion } from './postgres';
import { mb, perSecond, ratio, seconds, table, verdict } from './report';
import { measureResume, ResumeResult } from './resume';
import { benchEnv } from './stagegate';
import { log, now, removeDir, tempDir } from './util';
import { measureIdleRss, measureWaitingMemory, MemorySample, WaitingMemoryResult } from './waiting-memory';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = new Set((args.find((a) => a.startsWith('--only='))?.slice(7) ?? 'a,b,c,d').split(','));
const jsonFile = args.find((a) => a.startsWith('--json='))?.slice(7);
const size = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));

/** Clients in flight: twice the runner's default concurrency (16), so the runner never starves. */
const CLIENTS = 32;
const sizes = {
  baseline: size('BENCH_BASELINE', 2000, 500),
  embedded: size('BENCH_EMBEDDED', 800, 200),
  postgres: size('BENCH_POSTGRES', 1000, 200),
  commitSeconds: quick ? 2 : 5,
  waiting: size('BENCH_WAITING', 10000, 1000),
  resume: size('BENCH_RESUME', 1000, 200),
};

interface Results {
  machine: Record<string, string | number>;
  sizes: typeof sizes;
  baselineXml?: ThroughputResult;
  baselineParsed?: ThroughputResult;
  embedded?: ThroughputResult;
  embeddedIdle?: MemorySample & { startSeconds: number };
  commits?: ThroughputResult;
  postgres?: ThroughputResult;
  waiting?: WaitingMemoryResult;
  resume?: ResumeResult;
  postgresUnavailable?: string;
  totalSeconds?: number;
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
  };
  log(`machine: ${cpus.length} × ${results.machine.cpuModel}, ${results.machine.memory}, Node ${process.version}`);

  if (only.has('a')) {
    log(`baseline: bare bpmn-engine, ${sizes.baseline} instances, XML parsed per instance`);
    results.baselineXml = await measureBpmnEngine('xml-per-instance', sizes.baseline, CLIENTS);
    log(`baseline: bare bpmn-engine, ${sizes.baseline} instances, definition parsed once`);
    results.baselineParsed = await measureBpmnEngine('parsed-once', sizes.baseline, CLIENTS);
    const dataDir = tempDir('embedded');
    try {
      log(`(a) Stagegate on embedded PGlite: ${sizes.embedded} instances (+${Math.ceil(sizes.embedded / 10)} warm-up)`);
      results.embedded = await measureDurable({ dataDir, count: sizes.embedded, warmup: Math.ceil(sizes.embedded / 10), concurrency: CLIENTS });
      log('(a) idle RSS of a server process on that embedded database');
      results.embeddedIdle = await measureIdleRss(benchEnv(dataDir));
    } finally {
      removeDir(dataDir);
    }
  }

  if (only.has('b') || only.has('c') || only.has('d')) {
    const probe = await createFreshDatabase();
    if ('unavailable' in probe) {
      results.postgresUnavailable = probe.unavailable;
      log(`PostgreSQL unavailable, skipping (b), (c), (d): ${probe.unavailable}`);
    } else {
      results.machine.postgres = await serverVersion(probe.url);
      await probe.drop();
    }
  }

  if (only.has('b') && !results.postgresUnavailable) {
    const database = await createFreshDatabase();
    if ('unavailable' in database) throw new Error(database.unavailable);
    const dataDir = tempDir('postgres');
    try {
      log(`(b) baseline: single-row jsonb insert+commit, one pg client, ${sizes.commitSeconds} s`);
      results.commits = await measureSingleRowCommits(database.url, sizes.commitSeconds);
      log(`(b) Stagegate on PostgreSQL: ${sizes.postgres} instances (+${Math.ceil(sizes.postgres / 10)} warm-up)`);
      results.postgres = await measureDurable({
        dataDir,
        databaseUrl: database.url,
        count: sizes.postgres,
        warmup: Math.ceil(sizes.postgres / 10),
        concurrency: CLIENTS,
      });
    } finally {
      await database.drop();
      removeDir(dataDir);
    }
  }

  if ((only.has('c') || only.has('d')) && !results.postgresUnavailable) {
    const database = await createFreshDatabase();
    if ('unavailable' in database) throw new Error(database.unavailable);
    const dataDir = tempDir('server');
    const env = benchEnv(dataDir, database.url);
    try {
      log(`(c) server process on PostgreSQL: starting ${sizes.waiting} instances that wait on a user task`);
      const waiting = await measureWaitingMemory(env, sizes.waiting, CLIENTS, log);
      results.waiting = waiting.result;
      let server = waiting.server;
      try {
        if (only.has('d')) {
          log(`(d) stop, complete ${sizes.resume} user tasks while down, restart, wait until they are completed`);
          const resumed = await measureResume(server, env, sizes.resume);
          server = resumed.server;
          results.resume = resumed.result;
        }
      } finally {
        await server.stop().catch(() => undefined);
      }
    } finally {
      await database.drop();
      removeDir(dataDir);
    }
  }

  results.totalSeconds = (now() - began) / 1000;
  process.stdout.write(`${render(results)}\n`);
  if (jsonFile) fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
}

function render(r: Results): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `## Stagegate engine bench — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memory} RAM, Node ${m.node}, ${m.platform}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}.`,
    `Clients in flight: ${CLIENTS} (runner concurrency: Stagegate default 16). Total bench time: ${seconds(r.totalSeconds ?? 0)}.`,
    '',
  );

  const rows: string[][] = [];
  if (r.baselineXml && r.baselineParsed && r.embedded) {
    rows.push(
      ['(a) baseline', 'bare bpmn-engine in memory, XML parsed per instance', `${r.baselineXml.instances} in ${seconds(r.baselineXml.seconds)}`, perSecond(r.baselineXml.perSecond), '', ''],
      ['(a) baseline', 'bare bpmn-engine in memory, definition parsed once', `${r.baselineParsed.instances} in ${seconds(r.baselineParsed.seconds)}`, perSecond(r.baselineParsed.perSecond), '', ''],
      [
        '(a) Stagegate',
        'durable, embedded PGlite, counted `completed` in the DB',
        `${r.embedded.instances} in ${seconds(r.embedded.seconds)}`,
        perSecond(r.embedded.perSecond),
        `${ratio(r.embedded.perSecond / r.baselineXml.perSecond)} (vs parsed once: ${ratio(r.embedded.perSecond / r.baselineParsed.perSecond)})`,
        `≥ 0.5: ${verdict(r.embedded.perSecond / r.baselineXml.perSecond >= 0.5)}`,
      ],
    );
  }
  if (r.commits && r.postgres) {
    rows.push(
      ['(b) baseline', 'PostgreSQL single-row jsonb insert+commit, 1 pg client', `${r.commits.instances} in ${seconds(r.commits.seconds)}`, perSecond(r.commits.perSecond), '', ''],
      [
        '(b) Stagegate',
        'durable, PostgreSQL, counted `completed` in the DB',
        `${r.postgres.instances} in ${seconds(r.postgres.seconds)}`,
        perSecond(r.postgres.perSecond),
        ratio(r.postgres.perSecond / r.commits.perSecond),
        'reported',
      ],
    );
    if (r.baselineXml) {
      rows.push(['(b) Stagegate', 'same, vs bare bpmn-engine (XML per instance)', '', '', ratio(r.postgres.perSecond / r.baselineXml.perSecond), '']);
    }
  }
  if (rows.length) {
    out.push('### Throughput: start → service task (no-op handler) → end', '', table(['', 'what', 'instances', 'rate', 'ratio', 'goal'], rows), '');
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
      `Goal: RSS under 300 MB with ${w.count} waiting: ${verdict(w.after.rss < 300 * 1024 * 1024)} (${mb(w.after.rss)}; growth ${mb(w.after.rss - w.before.rss)}). ` +
        `Started over REST at ${perSecond(w.startedPerSecond)} (${seconds(w.startSeconds)}).`,
      '',
    );
  }
  if (r.embeddedIdle) {
    const e = r.embeddedIdle;
    out.push(
      `Embedded PGlite server process, idle on the (a) database: RSS ${mb(e.rss)} (heap used ${mb(e.heapUsed)}, external ${mb(e.external)} — PGlite's WASM memory lives in the server process); start ${seconds(e.startSeconds)}.`,
      '',
    );
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
          [`complete ${d.count} user tasks while it is down (queued commands)`, seconds(d.queueSeconds)],
          ['restart: spawn → listening', seconds(d.listeningSeconds)],
          [`restart: spawn → all ${d.count} completed in the DB`, seconds(d.totalSeconds)],
          ['resume rate after listening', perSecond(d.resumedPerSecond)],
          ['RSS of the restarted server afterwards', mb(d.rssAfter)],
        ],
      ),
      '',
    );
  }
  if (r.postgresUnavailable) out.push(`PostgreSQL unavailable: (b), (c), (d) skipped (${r.postgresUnavailable}).`, '');
  return out.join('\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
