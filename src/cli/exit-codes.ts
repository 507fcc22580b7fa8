/**
 * Exit codes of `stagegate`, stable for shell scripts (documented in the README).
 */
export const EXIT = {
  OK: 0,
  /** The request failed or was invalid (a 400, lint problems, a failed job, a server error). */
  FAILURE: 1,
  /** The command line itself is wrong: unknown command or option, missing argument, bad JSON in an option. */
  USAGE: 2,
  /** The thing named does not exist (404). */
  NOT_FOUND: 3,
  /** No valid token, or the token lacks the permission (401, 403). */
  AUTH: 4,
  /** The state does not allow it: already completed, claimed by someone else, over a limit (409). */
  CONFLICT: 5,
  /** The server could not be reached (connection refused, DNS, timeout). */
  UNREACHABLE: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in one line (or as JSON) and turns into an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: ExitCode,
    /** The server's error body, printed with --json. */
    public readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 409) return EXIT.CONFLICT;
  return EXIT.FAILURE;
}
