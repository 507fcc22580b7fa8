/**
 * What a command's action gets: the REST client and the printer, built from
 * the global options (--url, --token, --json), plus parsers for option values
 * that turn a bad value into a usage error (exit 2).
 */
import type { Command } from 'commander';
import { CliError, EXIT } from './exit-codes';
import { printer, Printer } from './output';
import { RestClient } from './rest-client';

export interface CommandIO {
  client: RestClient;
  out: Printer;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/**
 * Wraps a command handler for commander: the positional arguments and the
 * options object come first, the Command last (commander's order).
 */
export function action<A extends unknown[]>(handler: (io: CommandIO, ...args: A) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    const io: CommandIO = { client: new RestClient({ url: globals.url, token: globals.token }), out: printer(Boolean(globals.json)) };
    await handler(io, ...(args.slice(0, -1) as A));
  };
}

/** Parses a JSON option value; a syntax error is a usage error naming the option. */
export function parseJsonOption(value: string, option: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new CliError(`${option} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, EXIT.USAGE);
  }
}

/** A JSON object option (`--variables '{"a":1}'`). */
export function parseJsonObject(value: string, option: string): Record<string, unknown> {
  const parsed = parseJsonOption(value, option);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(`${option} must be a JSON object`, EXIT.USAGE);
  return parsed as Record<string, unknown>;
}

/**
 * Collects repeatable `--var name=value` options. A value that is valid JSON
 * (`5`, `true`, `{"a":1}`, `"007"`) is taken as that JSON, anything else as a string.
 */
export function collectVariable(pair: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const at = pair.indexOf('=');
  if (at <= 0) throw new CliError(`--var expects name=value, got "${pair}"`, EXIT.USAGE);
  const name = pair.slice(0, at);
  const raw = pair.slice(at + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: a plain string.
  }
  return { ...previous, [name]: value };
}

/** Repeatable string options (`--role a --role b`). */
export function collectString(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive integer option (`--limit 20`). */
export function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new CliError(`expected a whole number, got "${value}"`, EXIT.USAGE);
  return number;
}

/** Variables from --variables JSON merged with --var pairs (the pairs win). */
export function variablesFrom(options: { variables?: string; var?: Record<string, unknown> }): Record<string, unknown> {
  const base = options.variables ? parseJsonObject(options.variables, '--variables') : {};
  return { ...base, ...(options.var ?? {}) };
}

/** A REST path with its ids URL-encoded: apiPath`/api/tasks/${id}/claim`. */
export const apiPath = (strings: TemplateStringsArray, ...ids: string[]) =>
  strings.reduce((built, part, i) => built + part + (i < ids.length ? encodeURIComponent(ids[i]) : ''), '');
