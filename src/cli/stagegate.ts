/**
 * The `stagegate` command line (entry module: bin/stagegate.js, `npm run lint`).
 * `lint` and `sample-data` work offline; every other command talks to the REST API at
 * STAGEGATE_URL (default http://localhost:3000) with STAGEGATE_TOKEN.
 *
 * Exit codes (src/cli/exit-codes.ts): 0 ok, 1 failure/validation, 2 usage,
 * 3 not found, 4 auth/permission, 5 conflict, 6 server unreachable.
 */
import { Command, CommanderError } from 'commander';
import { registerDeploy } from './commands/deploy';
import { registerDeployments } from './commands/deployments';
import { registerInstances } from './commands/instances';
import { registerJobs } from './commands/jobs';
import { registerLint } from './commands/lint';
import { registerPredict } from './commands/predict';
import { registerSampleData } from './commands/sample-data';
import { registerSchedules } from './commands/schedules';
import { registerStart } from './commands/start';
import { registerTasks } from './commands/tasks';
import { registerUsers } from './commands/users';
import { CliError, EXIT } from './exit-codes';

const EXIT_CODES_HELP = `
Environment: STAGEGATE_URL (default http://localhost:3000), STAGEGATE_TOKEN.
Exit codes: 0 ok, 1 failure or validation error, 2 usage error, 3 not found,
4 authentication or permission, 5 conflict, 6 server unreachable.`;

function buildProgram(): Command {
  const program = new Command('stagegate')
    .description('Stagegate: BPMN orchestration of the model lifecycle')
    .option('--url <url>', 'the server (default: STAGEGATE_URL or http://localhost:3000)')
    .option('--token <token>', 'API token (default: STAGEGATE_TOKEN)')
    .option('--json', 'print the server\'s JSON instead of tables')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP);

  registerLint(program);
  registerDeploy(program);
  registerStart(program);
  registerInstances(program);
  registerTasks(program);
  registerJobs(program);
  registerDeployments(program);
  registerPredict(program);
  registerUsers(program);
  registerSchedules(program);
  registerSampleData(program);
  return program;
}

/** The error on stderr: one line, or the server's error body with --json. */
function report(err: CliError, json: boolean): void {
  if (json && err.body !== undefined && typeof err.body === 'object') {
    process.stderr.write(`${JSON.stringify(err.body)}\n`);
  } else {
    process.stderr.write(`stagegate: ${err.message}\n`);
  }
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; every other parse failure is a usage error.
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (err instanceof CliError) {
      report(err, argv.includes('--json'));
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`stagegate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT.FAILURE;
  }
}

void main(process.argv);
