/**
 * bpmn-moddle (with the Camunda extension) as the validator sees it: a
 * parse that never throws, and its warnings turned into problems. bpmn-moddle
 * drops unknown elements and unresolvable references with nothing but a
 * warning, so every warning is a problem here.
 */
import type { BpmnProblem } from './validation-types';

/** A parsed BPMN element. bpmn-moddle ships no types; properties are read through the helpers below. */
export interface ModdleElement {
  readonly $type: string;
  readonly id?: string;
  readonly name?: string;
  readonly $attrs?: Readonly<Record<string, string>>;
  readonly [property: string]: unknown;
}

interface ModdleWarning {
  message: string;
  error?: Error;
  element?: ModdleElement;
  property?: string;
  value?: unknown;
}

interface ModdleParseResult {
  rootElement: ModdleElement;
  warnings: ModdleWarning[];
}

interface BpmnModdleConstructor {
  new (packages: Record<string, unknown>): { fromXML(xml: string): Promise<ModdleParseResult> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const BpmnModdle: BpmnModdleConstructor = require('bpmn-moddle');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const camundaPackage: Record<string, unknown> = require('camunda-bpmn-moddle/resources/camunda.json');

function isModdleElement(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as { $type?: unknown }).$type === 'string';
}

/** A single-element property (`sourceRef`, `conditionExpression`, ...). */
export function child(element: ModdleElement, property: string): ModdleElement | undefined {
  const value = element[property];
  return isModdleElement(value) ? value : undefined;
}

/** A many-valued property (`flowElements`, `eventDefinitions`, ...); missing means empty. */
export function children(element: ModdleElement | undefined, property: string): ModdleElement[] {
  const value = element?.[property];
  return Array.isArray(value) ? value.filter(isModdleElement) : [];
}

/** A string attribute, trimmed; undefined when absent or blank. */
export function text(element: ModdleElement | undefined, property: string): string | undefined {
  const value = element?.[property];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** `bpmn:ServiceTask` → `ServiceTask`. */
export function localName(type: string): string {
  return type.slice(type.indexOf(':') + 1);
}

/** `ServiceTask 'train'`, for messages. */
export function describe(element: ModdleElement): string {
  return element.id ? `${localName(element.$type)} '${element.id}'` : localName(element.$type);
}

export interface ParsedBpmn {
  /** The `bpmn:Definitions` root; undefined when bpmn-moddle could not build one. */
  definitions?: ModdleElement;
  problems: BpmnProblem[];
  /** `elementId#property` of each reference bpmn-moddle could not resolve. */
  unresolvedReferences: Set<string>;
}

/** Parses well-formed, DTD-free XML (see xml-safety.ts) with the Camunda extension. Never throws. */
export async function parseBpmnXml(xml: string): Promise<ParsedBpmn> {
  const unresolvedReferences = new Set<string>();
  let result: ModdleParseResult;
  try {
    result = await new BpmnModdle({ camunda: camundaPackage }).fromXML(xml);
  } catch (err) {
    const warnings: ModdleWarning[] = (err as { warnings?: ModdleWarning[] }).warnings ?? [];
    const cause = warnings.map((warning) => nestedError(warning.message)).filter(Boolean)[0];
    const message = err instanceof Error ? err.message : String(err);
    return {
      problems: [{ rule: 'bpmn-schema', message: cause ? `${message}: ${cause}` : message }],
      unresolvedReferences,
    };
  }
  const problems = result.warnings.map((warning) => warningToProblem(warning, xml, unresolvedReferences));
  return { definitions: result.rootElement, problems, unresolvedReferences };
}

const UNRESOLVED = /^unresolved reference <(.*)>$/;
const UNKNOWN_ATTRIBUTE = /^unknown attribute <(.*)>$/;
const UNPARSABLE = /^unparsable content (<[^>]*>)?/;

function nestedError(message: string): string | undefined {
  return /nested error: ([\s\S]*)$/.exec(message)?.[1]?.trim();
}

function warningToProblem(warning: ModdleWarning, xml: string, unresolved: Set<string>): BpmnProblem {
  const element = warning.element;
  const elementId = element?.id;
  const unresolvedRef = UNRESOLVED.exec(warning.message);
  if (unresolvedRef && element) {
    const property = warning.property ?? 'reference';
    if (elementId) unresolved.add(`${elementId}#${property}`);
    const attribute = localName(property);
    const isFlowEnd = element.$type === 'bpmn:SequenceFlow' && (attribute === 'sourceRef' || attribute === 'targetRef');
    return {
      elementId,
      rule: isFlowEnd ? 'flow-connected' : 'bpmn-schema',
      message: `${describe(element)}: ${attribute} '${unresolvedRef[1]}' names no element of this file`,
    };
  }
  const unknownAttribute = UNKNOWN_ATTRIBUTE.exec(warning.message);
  if (unknownAttribute && element) {
    return { elementId, rule: 'bpmn-schema', message: `${describe(element)}: unknown attribute ${unknownAttribute[1]}` };
  }
  const unparsable = UNPARSABLE.exec(warning.message);
  if (unparsable) return unparsableToProblem(warning.message, unparsable[1], xml);
  return { elementId, rule: 'bpmn-schema', message: warning.message };
}

/**
 * bpmn-moddle drops an element it cannot place (unknown type, wrong parent,
 * duplicate id) and says so with a 0-based line and column; the element's id
 * is recovered from the source text at that position.
 */
function unparsableToProblem(message: string, tag: string | undefined, xml: string): BpmnProblem {
  const cause = nestedError(message) ?? 'cannot be parsed';
  const line = Number(/\bline: (\d+)/.exec(message)?.[1] ?? NaN);
  const column = Number(/\bcolumn: (\d+)/.exec(message)?.[1] ?? NaN);
  const duplicate = /^duplicate ID <(.*)>$/.exec(cause);
  const elementId = duplicate ? duplicate[1] : idAt(xml, line, column);
  const where = Number.isInteger(line) && Number.isInteger(column) ? ` at line ${line + 1}, column ${column + 1}` : '';
  const what = tag ? `element ${tag.replace(/\/>$/, '>')}` : 'content';
  return {
    ...(elementId !== undefined && { elementId }),
    rule: 'bpmn-schema',
    message: duplicate ? `duplicate id '${duplicate[1]}'${where}` : `${what}${where} was ignored: ${cause}`,
  };
}

function idAt(xml: string, line: number, column: number): string | undefined {
  if (!Number.isInteger(line) || !Number.isInteger(column)) return undefined;
  const lines = xml.split('\n');
  if (line >= lines.length) return undefined;
  const lineText = lines[line] ?? '';
  const tagStart = lineText.lastIndexOf('<', column);
  if (tagStart < 0) return undefined;
  const offset = lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0) + tagStart;
  const tagText = xml.slice(offset, xml.indexOf('>', offset) + 1 || undefined);
  return /\sid\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tagText)?.slice(1).find((id) => id !== undefined);
}
