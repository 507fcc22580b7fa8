import { Engine } from 'bpmn-engine';
import { createEngineExpressions } from '../expressions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const camundaModdle = require('camunda-bpmn-moddle/resources/camunda.json');

/* bpmn-elements activities are untyped at this boundary. */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type ActivityExtension = (activity: any) => { activate(): void; deactivate(): void } | void;

const expressions = createEngineExpressions();

/** Quiet logger: the runtime records what matters in history and pino. */
function silentLogger() {
  const noop = () => undefined;
  return { debug: noop, error: noop, warn: noop };
}

/**
 * A new bpmn-engine for one run. Functions (extensions, expressions) are not
 * part of a saved state, so every run passes them again.
 */
export function createEngine(name: string, source: string | null, extension: ActivityExtension): Engine {
  return new Engine({
    name,
    ...(source ? { source } : {}),
    moddleOptions: { camunda: camundaModdle },
    extensions: { stagegate: extension },
    expressions,
    Logger: silentLogger,
  } as any);
}
