/**
 * The XML gate in front of bpmn-moddle: the text must be well-formed and
 * carry no DTD. bpmn-moddle only *warns* about a DOCTYPE, so a DTD (external
 * entities, billion laughs) is refused here before it reaches it. saxes never
 * expands entities it has not been told about, so nothing is read or grown
 * while checking.
 */
import { SaxesParser } from 'saxes';
import type { BpmnProblem } from './validation-types';

const POSITION_PREFIX = /^(\d+):(\d+): /;

/** Rewrites saxes' `3:8: message` as `line 3, column 8: message`. */
function describeSaxesError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const position = POSITION_PREFIX.exec(text);
  if (!position) return text;
  return `line ${position[1]}, column ${position[2]}: ${text.slice(position[0].length)}`;
}

/**
 * Problems that make the text unfit for bpmn-moddle (rules `xml-well-formed`
 * and `xml-no-dtd`); empty when it may be parsed as BPMN. Never throws.
 */
export function checkXmlSafety(xml: unknown): BpmnProblem[] {
  if (typeof xml !== 'string') {
    return [{ rule: 'xml-well-formed', message: `expected BPMN XML text, got ${xml === null ? 'null' : typeof xml}` }];
  }
  if (!xml.trim()) return [{ rule: 'xml-well-formed', message: 'the document is empty' }];

  const problems: BpmnProblem[] = [];
  let doctypeSeen = false;
  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.on('doctype', (doctype) => {
    doctypeSeen = true;
    const entities = /<!ENTITY/i.test(doctype) ? ' (it declares entities)' : '';
    problems.push({
      rule: 'xml-no-dtd',
      message: `a DOCTYPE declaration${entities} is not allowed: DTDs and entities can read files or expand without limit`,
    });
  });
  try {
    // Without an error handler saxes throws on the first error: one message, no cascade.
    parser.write(xml).close();
  } catch (err) {
    // References to entities the DTD declared are the DTD's fault, already reported.
    const undefinedEntity = err instanceof Error && /undefined entity/.test(err.message);
    if (!(doctypeSeen && undefinedEntity)) {
      problems.push({ rule: 'xml-well-formed', message: `the XML is not well-formed at ${describeSaxesError(err)}` });
    }
  }
  return problems;
}
