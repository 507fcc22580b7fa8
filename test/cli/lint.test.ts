import { spawnSync } from 'child_process';
import { join } from 'path';
import { lintFiles } from '../../src/cli/lint';
import { validateExpression } from '../../src/engine/expressions';
import { BUILT_IN_TOPICS } from '../../src/engine/service-tasks/topics';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'stagegate.js');
const FIXTURES = join('test', 'fixtures', 'bpmn');

function stagegate(...args: string[]) {
  const env = { ...process.env, ALLOW_SCRIPT_TASKS: 'false' };
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 30000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('stagegate lint', () => {
  it('prints ok and exits 0 for a valid file', () => {
    const file = join(FIXTURES, 'valid-lifecycle.bpmn');

    const run = stagegate('lint', file);

    expect(run.stdout).toBe(`${file}: ok\n`);
    expect(run.status).toBe(0);
  });

  it('prints one line per problem with the element id and rule, and exits 1', () => {
    const good = join(FIXTURES, 'external-topic.bpmn');
    const bad = join(FIXTURES, 'several-problems.bpmn');

    const run = stagegate('lint', good, bad);

    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${good}: ok`);
    expect(lines.slice(1).map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
      `${bad}: train [service-topic]`,
      `${bad}: score [script-task]`,
      `${bad}: merge [unsupported-element]`,
      `${bad}: forgotten [flow-connected]`,
      `${bad}: forgotten [flow-connected]`,
    ]);
    expect(run.status).toBe(1);
  });

  it('accepts script tasks with --allow-script-tasks', () => {
    const run = stagegate('lint', '--allow-script-tasks', join(FIXTURES, 'script-task.bpmn'));

    expect(run.stdout).toContain(': ok');
    expect(run.status).toBe(0);
  });

  it('reports a file it cannot read as a problem', () => {
    const run = stagegate('lint', join(FIXTURES, 'does-not-exist.bpmn'));

    expect(run.stdout).toContain('[file-read]');
    expect(run.status).toBe(1);
  });

  it.each([
    ['no file', ['lint']],
    ['an unknown option', ['lint', '--strict', 'x.bpmn']],
    ['an unknown command', ['frobnicate']],
    ['a command without its files', ['deploy']],
  ])('exits 2 on a usage error: %s', (_label, args) => {
    const run = stagegate(...args);

    expect(run.stderr).toMatch(/error: /);
    expect(run.status).toBe(2);
  });
});

describe('lintFiles', () => {
  it('checks conditions with the real expression validator', async () => {
    const results = await lintFiles([join(ROOT, FIXTURES, 'valid-lifecycle.bpmn'), join(ROOT, FIXTURES, 'unknown-topic.bpmn')], {
      knownTopics: BUILT_IN_TOPICS,
      allowScriptTasks: false,
      validateExpression,
    });

    expect(results.map((result) => result.problems.map((problem) => [problem.elementId, problem.rule]))).toEqual([
      [],
      [['quantize', 'service-topic']],
    ]);
    expect(results[1]?.problems[0]?.file).toBe(join(ROOT, FIXTURES, 'unknown-topic.bpmn'));
  });
});
