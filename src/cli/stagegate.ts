/**
 * The `stagegate` command line (entry module: bin/stagegate.js, `npm run lint`).
 * Exit codes: 0 ok, 1 problems found (or an unexpected failure), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { validateExpression } from '../engine/expressions';
import { BUILT_IN_TOPICS } from '../engine/service-tasks/topics';
import { formatLintResult, lintFiles } from './lint';

const EXIT_PROBLEMS = 1;
const EXIT_USAGE = 2;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(): Command {
  const program = new Command('stagegate')
    .description('Stagegate: BPMN orchestration of the model lifecycle')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('lint')
    .description('validate BPMN files as the server would before deploying them')
    .argument('<files...>', 'BPMN files')
    .option('--allow-script-tasks', 'accept script tasks and script conditions (default: ALLOW_SCRIPT_TASKS=true)')
    .option('--topic <topic>', 'a topic with an in-process handler besides the built-in ones (repeatable)', collect, [])
    .action(async (files: string[], options: { allowScriptTasks?: boolean; topic: string[] }) => {
      const results = await lintFiles(files, {
        knownTopics: new Set([...BUILT_IN_TOPICS, ...options.topic]),
        allowScriptTasks: options.allowScriptTasks === true || process.env.ALLOW_SCRIPT_TASKS === 'true',
        validateExpression,
      });
      for (const result of results) {
        for (const line of formatLintResult(result)) process.stdout.write(`${line}\n`);
      }
      if (results.some((result) => result.problems.length)) process.exitCode = EXIT_PROBLEMS;
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; every other parse failure is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.stderr.write(`stagegate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT_PROBLEMS;
  }
}

void main(process.argv);
