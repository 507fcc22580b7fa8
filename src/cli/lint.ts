/**
 * `stagegate lint`: the deploy-time validation of BPMN files, offline, for
 * process authors.
 */
import { readFile } from 'fs/promises';
import { validateBpmn, type BpmnProblem, type BpmnValidationOptions } from '../engine/definitions/validate-bpmn';

export type LintOptions = Omit<BpmnValidationOptions, 'fileName'>;

export interface LintResult {
  file: string;
  problems: BpmnProblem[];
}

/** Validates each file as the server would before deploying it; a file that cannot be read is a problem too. */
export async function lintFiles(paths: string[], opts: LintOptions): Promise<LintResult[]> {
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
