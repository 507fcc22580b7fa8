/** `stagegate deploy FILE...`: deploys BPMN files, each on its own (a bad file never half-deploys). */
import { readFile } from 'fs/promises';
import { basename } from 'path';
import type { Command } from 'commander';
import type { BpmnProblem } from '../../engine/definitions/validate-bpmn';
import { action, CommandIO } from '../command-io';
import { CliError, EXIT } from '../exit-codes';
import { formatLintResult } from '../lint';

interface Deployed {
  file: string;
  created?: boolean;
  definition?: { id: string; key: string; version: number };
  error?: { message: string; problems?: BpmnProblem[] };
}

async function deployFile(io: CommandIO, file: string): Promise<{ outcome: Deployed; failure?: CliError }> {
  let xml: string;
  try {
    xml = await readFile(file, 'utf8');
  } catch (err) {
    const failure = new CliError(`${file}: cannot read the file: ${err instanceof Error ? err.message : String(err)}`, EXIT.FAILURE);
    return { outcome: { file, error: { message: failure.message } }, failure };
  }
  try {
    const reply = await io.client.post<{ created: boolean; definition: Deployed['definition'] }>('/api/process-definitions', xml, {
      contentType: 'application/xml',
      query: { fileName: basename(file) },
    });
    return { outcome: { file, created: reply.created, definition: reply.definition } };
  } catch (err) {
    if (!(err instanceof CliError) || err.exitCode === EXIT.UNREACHABLE || err.exitCode === EXIT.AUTH) throw err;
    const problems = (err.body as { error?: { details?: { problems?: BpmnProblem[] } } } | undefined)?.error?.details?.problems;
    return { outcome: { file, error: { message: err.message, problems } }, failure: err };
  }
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('deploy BPMN files; unchanged content is not redeployed')
    .argument('<files...>', 'BPMN files')
    .action(
      action(async (io, files: string[]) => {
        const outcomes: Deployed[] = [];
        let firstFailure: CliError | undefined;
        for (const file of files) {
          const { outcome, failure } = await deployFile(io, file);
          outcomes.push(outcome);
          firstFailure ??= failure;
        }
        io.out.result(outcomes, () =>
          outcomes
            .map((o) => {
              if (o.definition) return `${o.file}: ${o.definition.key} version ${o.definition.version} ${o.created ? 'deployed' : 'unchanged'}\n`;
              if (o.error?.problems?.length) return formatLintResult({ file: o.file, problems: o.error.problems }).join('\n') + '\n';
              return `${o.file}: ${o.error?.message}\n`;
            })
            .join(''),
        );
        if (firstFailure) process.exitCode = firstFailure.exitCode;
      }),
    );
}
