/** `stagegate lint FILE...`: offline validation (no server needed). */
import type { Command } from 'commander';
import { collectString } from '../command-io';
import { EXIT } from '../exit-codes';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('validate BPMN files as the server would before deploying them (offline)')
    .argument('<files...>', 'BPMN files')
    .option('--allow-script-tasks', 'accept script tasks and script conditions (default: ALLOW_SCRIPT_TASKS=true)')
    .option('--topic <topic>', 'a topic with an in-process handler besides the built-in ones (repeatable)', collectString, [])
    .action(async (files: string[], options: { allowScriptTasks?: boolean; topic: string[] }, command: Command) => {
      // Loaded on use: the other commands start faster without the validator.
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { formatLintResult, lintFiles } = require('../lint') as typeof import('../lint');
      const { validateExpression } = require('../../engine/expressions') as typeof import('../../engine/expressions');
      const { BUILT_IN_TOPICS } = require('../../engine/service-tasks/topics') as typeof import('../../engine/service-tasks/topics');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const results = await lintFiles(files, {
        knownTopics: new Set([...BUILT_IN_TOPICS, ...options.topic]),
        allowScriptTasks: options.allowScriptTasks === true || process.env.ALLOW_SCRIPT_TASKS === 'true',
        validateExpression,
      });
      if (command.optsWithGlobals().json) {
        process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      } else {
        for (const result of results) {
          for (const line of formatLintResult(result)) process.stdout.write(`${line}\n`);
        }
      }
      if (results.some((result) => result.problems.length)) process.exitCode = EXIT.FAILURE;
    });
}
