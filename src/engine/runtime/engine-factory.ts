import { Engine } from 'bpmn-engine';
import type { Database } from '../../db/connect';
import { DefinitionCache } from '../definitions/definition-cache';
import { createEngineExpressions } from '../expressions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const camundaModdle = require('camunda-bpmn-moddle/resources/camunda.json');

/* bpmn-elements activities are untyped at this boundary. */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type ActivityExtension = (activity: any) => { activate(): void; deactivate(): void } | void;

/** A definition parsed and serialized for bpmn-engine (its `sourceContext`); engines share it read-only. */
export type SourceContext = unknown;

const expressions = createEngineExpressions();

/** Quiet logger: the runtime records what matters in history and pino. */
function silentLogger() {
  const noop = () => undefined;
  return { debug: noop, error: noop, warn: noop };
}

function engineOptions(name: string): Record<string, unknown> {
  return { name, moddleOptions: { camunda: camundaModdle }, expressions, Logger: silentLogger };
}

/**
 * A new bpmn-engine for one run. Functions (extensions, expressions) are not
 * part of a saved state, so every run passes them again.
 */
export function createEngine(name: string, sourceContext: SourceContext, extension: ActivityExtension): Engine {
  return new Engine({ ...engineOptions(name), sourceContext, extensions: { stagegate: extension } } as any);
}

const sources = new DefinitionCache<SourceContext>(200);

/**
 * The definition's source context, parsed once per definition and process
 * (the XML is read only when it is not cached). bpmn-engine keeps no run state
 * in it: each engine builds its own activities from it.
 */
export function sourceContextOf(db: Database, definitionId: string): Promise<SourceContext> {
  return sources.get(definitionId, async () => {
    const { xml } = await db('process_definitions').where({ id: definitionId }).first('xml');
    // The engine's own parse + serialize (moddle options, type resolver), as `source` would do per engine.
    return (new Engine(engineOptions(definitionId) as any) as any)._serializeSource(xml);
  });
}

/**
 * A saved engine state without the definitions' serialized sources: every run
 * passes the source context, so storing it with each instance is waste. A
 * state saved with sources (before they were left out) recovers the same way.
 */
export function withoutSources<T>(state: T): T {
  const saved = state as { definitions?: { source?: unknown }[] };
  if (!saved?.definitions?.some((definition) => 'source' in definition)) return state;
  return { ...saved, definitions: saved.definitions.map(({ source: _source, ...definition }) => definition) } as T;
}
