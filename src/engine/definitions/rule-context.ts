import type { BpmnProblem, BpmnValidationOptions } from './validation-types';

/** Collects the problems of one file, dropping exact duplicates. */
export class ProblemList {
  private readonly problems: BpmnProblem[] = [];
  private readonly seen = new Set<string>();

  add(rule: string, elementId: string | undefined, message: string): void {
    const key = `${rule}\u0000${elementId ?? ''}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push(elementId === undefined ? { rule, message } : { elementId, rule, message });
  }

  addAll(problems: ReadonlyArray<BpmnProblem>): void {
    for (const problem of problems) this.add(problem.rule, problem.elementId, problem.message);
  }

  get size(): number {
    return this.problems.length;
  }

  /** The problems in the order they were found, each tagged with `file` when given. */
  toArray(file?: string): BpmnProblem[] {
    return this.problems.map((problem) => (file === undefined ? { ...problem } : { file, ...problem }));
  }
}

/** `${...}` or `#{...}` as the whole text (JUEL, Camunda 7 style). */
const WHOLE_JUEL = /^[$#]\{[\s\S]*\}$/;

/** True when the text is one expression rather than a literal or a template (`Model ${name}`). */
export function isWholeExpression(text: string): boolean {
  const trimmed = text.trim();
  return WHOLE_JUEL.test(trimmed) || trimmed.startsWith('=');
}

/** True when the text holds an expression anywhere: FEEL `=...`, or a `${...}` / `#{...}` placeholder. */
export function containsExpression(text: string): boolean {
  return text.trim().startsWith('=') || /[$#]\{/.test(text);
}

/** Everything the rules share while walking one file. */
export class RuleContext {
  constructor(
    readonly options: BpmnValidationOptions,
    readonly problems: ProblemList,
    /** `elementId#property` of references bpmn-moddle could not resolve (already reported). */
    private readonly unresolvedReferences: ReadonlySet<string>,
  ) {}

  report(rule: string, elementId: string | undefined, message: string): void {
    this.problems.add(rule, elementId, message);
  }

  isUnresolved(elementId: string | undefined, property: string): boolean {
    return elementId !== undefined && this.unresolvedReferences.has(`${elementId}#${property}`);
  }

  /** Runs the injected expression validator; a validator that throws counts as a rejection. */
  checkExpression(rule: string, elementId: string | undefined, where: string, text: string): void {
    let verdict: string | null;
    try {
      verdict = this.options.validateExpression(text);
    } catch (err) {
      verdict = err instanceof Error ? err.message : String(err);
    }
    if (verdict !== null) this.report(rule, elementId, `${where} "${text}" cannot be evaluated: ${verdict}`);
  }

  /**
   * Checks an attribute or parameter value that may hold an expression or a
   * template (`Model ${name} trained`); literals pass untouched.
   */
  checkValueExpressions(elementId: string | undefined, where: string, value: unknown): void {
    if (typeof value !== 'string' || !containsExpression(value)) return;
    this.checkExpression('expression', elementId, where, value.trim());
  }
}
