import { z } from 'zod';

/** Thrown when an environment variable is missing or malformed; names the variable. */
export class ConfigError extends Error {}

const booleanFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  PROCESSES_DIR: z.string().min(1).default('./processes'),
  ALLOW_SCRIPT_TASKS: booleanFlag.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often the runner looks for instances to advance (timers, retries, work from other replicas). */
  POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60000).default(500),
  /** How many instances one server advances at the same time. */
  RUNNER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** How long a server holds an instance before another may take it over (renewed while it works). */
  LEASE_MS: z.coerce.number().int().min(1000).max(3600000).default(30000),
  /** Retry backoff for failing service tasks, in ms, comma-separated; its length is the retry count. */
  SERVICE_RETRY_BACKOFF_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds, e.g. 10000,60000,300000')
    .default('10000,60000,300000')
    .transform((s) => s.split(',').map(Number)),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1048576),
  /** Largest CSV upload (datasets) and uploaded model artifact; streamed, never held whole. */
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(104857600),
  /** How many jobs (train, test, ...) one server runs at the same time, each in its own worker process. */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** The first admin's token on first start (else one is generated and printed once). */
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').max(512).regex(/^\S+$/, 'must not contain spaces').optional(),
  /** Where people reach this server; links in mails point here. */
  PUBLIC_URL: z.url().optional(),
  /** The group that reviews failures (incidents) when a process names none. */
  SUPPORT_GROUP: z.string().min(1).max(100).default('support'),
  /** How many distinct models may have an active deployment at once (unset: no limit). */
  MAX_ACTIVE_MODELS: z.coerce.number().int().min(0).optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** smtp://[user:password@]host[:port] or smtps://...; without it mail is written as .eml files under DATA_DIR/mail. */
  SMTP_URL: z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
      } catch {
        return false;
      }
    }, 'must be smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]')
    .optional(),
  /** The From of every mail Stagegate sends. */
  MAIL_FROM: z
    .string()
    .regex(/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address such as "Stagegate <stagegate@example.com>"')
    .default('Stagegate <stagegate@localhost>'),
  /** Schedule fires missed while no server ran are run once at start-up if no older than this (default 6 hours). */
  SCHEDULE_MISSED_FIRE_TOLERANCE_MS: z.coerce.number().int().min(0).default(21_600_000),
  /** Time zone of cron timer start events and the default of new schedules (IANA name); default the server's. */
  SCHEDULE_TIMEZONE: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Berlin')
    .default(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
  /** Retry backoff for mail that could not be sent, in ms, comma-separated; its length is the retry count. */
  MAIL_RETRY_BACKOFF_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds, e.g. 5000,30000,120000,600000')
    .default('5000,30000,120000,600000')
    .transform((s) => s.split(',').map(Number)),
});

export type Config = z.infer<typeof schema>;

/** Reads and validates the configuration from environment variables. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`ADMIN_TOKEN=`) counts as unset, as most tools treat it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
