/**
 * Validation of a BPMN file before anything is stored (SPEC §3): safe,
 * well-formed XML; BPMN 2.0 per bpmn-moddle with the Camunda extension;
 * exactly one executable process whose every element Stagegate can run.
 * All problems of a file are reported at once.
 */
import { checkProcess } from './bpmn-rules';
import { children, parseBpmnXml, text, type ModdleElement } from './moddle';
import { ProblemList, RuleContext } from './rule-context';
import type { BpmnValidationOptions, BpmnValidationResult, ValidatedProcess } from './validation-types';
import { checkXmlSafety } from './xml-safety';

export type {
  BpmnProblem,
  BpmnValidationOptions,
  BpmnValidationResult,
  ValidatedProcess,
} from './validation-types';

/**
 * Validates one BPMN file. Never throws on bad input: junk, empty text and
 * DTDs come back as problems. `processes` holds the executable process only
 * when there is no problem at all.
 */
export async function validateBpmn(xml: string, options: BpmnValidationOptions): Promise<BpmnValidationResult> {
  const problems = new ProblemList();
  const result = () => ({ processes: [], problems: problems.toArray(options.fileName) });

  problems.addAll(checkXmlSafety(xml));
  if (problems.size) return result();

  const parsed = await parseBpmnXml(xml);
  problems.addAll(parsed.problems);
  const definitions = parsed.definitions;
  if (!definitions) return result();

  const ctx = new RuleContext(options, problems, parsed.unresolvedReferences);
  const executable = selectExecutableProcess(definitions, ctx);
  const validated: ValidatedProcess[] = executable.map((process) => {
    const triggers = checkProcess(process, ctx);
    if (!process.id) ctx.report('bpmn-schema', undefined, 'the executable process has no id (its id is the definition key)');
    const name = text(process, 'name');
    return { key: process.id ?? '', ...(name !== undefined && { name }), ...triggers };
  });

  if (problems.size) return result();
  return { processes: validated, problems: [] };
}

/**
 * The executable processes of the file: exactly one is expected. Other
 * processes (non-executable pools of a collaboration) are documentation and
 * are not checked further.
 */
function selectExecutableProcess(definitions: ModdleElement, ctx: RuleContext): ModdleElement[] {
  const processes = children(definitions, 'rootElements').filter((element) => element.$type === 'bpmn:Process');
  const executable = processes.filter((process) => process.isExecutable === true);
  if (!processes.length) {
    ctx.report('executable', definitions.id, 'the file defines no process');
  } else if (!executable.length) {
    const ids = processes.map((process) => `'${process.id ?? '?'}'`).join(', ');
    ctx.report('executable', processes[0]?.id, `no process is executable (${ids}): set isExecutable="true" on the one Stagegate should run`);
  }
  const [first, ...others] = executable;
  for (const process of others) {
    ctx.report(
      'single-executable-process',
      process.id,
      `process '${process.id ?? '?'}' is executable, but so is '${first?.id ?? '?'}': exactly one executable process per file`,
    );
  }
  return executable;
}
