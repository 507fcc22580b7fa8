/**
 * `stagegate lint`: the deploy-time validation of BPMN files, offline, for
 * process authors.
 */
import { readFile } from 'fs/promises';
import type { BpmnProblem, BpmnValidationOptions } from '../engine/definitions/validate-bpmn';

export type LintOptions = Omit<BpmnValidationOptions, 'fileName'>;

export interface LintResult {
  file: string;
  problems: BpmnProblem[];
}

/** Validates each file as the server would before deploying it; a file that cannot be read is a problem too. */
export async function lintFiles(paths: string[], opts: LintOptions): Promise<LintResult[]> {
  // Loaded here, not at the top: the validator (moddle, FEEL) is slow to load and only lint needs it.
  // (require, not import(): tsx's CommonJS loader leaves import() to Node's ESM resolver, which wants file extensions.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateBpmn } = require('../engine/definitions/validate-bpmn') as typeof import('../engine/definitions/validate-bpmn');
  const results: LintResult[] = [];
  for (const file of paths) {
    let xml: string;
    try {
      xml = await readFile(file, 'utf8');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      results.push({ file, problems: [{ file, rule: 'file-read', message: `cannot read the file: ${reason}` }] });
      continue;
    }
    const { problems } = await validateBpmn(xml, { ...opts, fileName: file });
    results.push({ file, problems });
  }
  return results;
}

/** `file: elementId [rule] message` per problem, or `file: ok`. */
export function formatLintResult(result: LintResult): string[] {
  if (!result.problems.length) return [`${result.file}: ok`];
  return result.problems.map((problem) =>
    [`${result.file}:`, problem.elementId, `[${problem.rule}]`, problem.message].filter(Boolean).join(' '),
  );
}
