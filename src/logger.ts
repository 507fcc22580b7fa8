import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs on stdout; secrets never go through here (see redact paths). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: ['req.headers.authorization', 'headers.authorization', 'token', 'apiKey'] };
  return destination ? pino(options, destination) : pino(options);
}
