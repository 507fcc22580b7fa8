/**
 * The small REST client every server-side command shares: base URL and token
 * from the environment (or --url/--token), JSON in and out, HTTP and network
 * failures turned into `CliError`s with the documented exit codes.
 */
import { CliError, EXIT, exitCodeForStatus } from './exit-codes';

export const DEFAULT_URL = 'http://localhost:3000';
const TIMEOUT_MS = 30_000;

export interface ClientOptions {
  url?: string;
  token?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body, or a string sent with `contentType`. */
  body?: unknown;
  contentType?: string;
}

export class RestClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(options: ClientOptions = {}) {
    const url = options.url || process.env.STAGEGATE_URL || DEFAULT_URL;
    this.baseUrl = url.replace(/\/+$/, '');
    this.token = options.token || process.env.STAGEGATE_TOKEN || undefined;
  }

  get<T = any>(path: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  post<T = any>(path: string, body: unknown = {}, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T = any>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  delete<T = any>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Sends one request; resolves with the parsed JSON (or text), throws `CliError` for anything but 2xx. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new CliError(`cannot reach the server at ${this.baseUrl}: ${describeNetworkError(err)}`, EXIT.UNREACHABLE);
    }
    const text = await response.text();
    const parsed = parseBody(text, response.headers.get('content-type'));
    if (!response.ok) throw httpError(response.status, parsed, this.token);
    return parsed as T;
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!text) return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function httpError(status: number, body: unknown, token: string | undefined): CliError {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  let message = error?.message ?? (typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status}`);
  if (status === 401 && !token) message += ' (set STAGEGATE_TOKEN or pass --token)';
  const code = error?.code ? ` ${error.code}` : '';
  return new CliError(`${message} (HTTP ${status}${code})`, exitCodeForStatus(status), body);
}
