import { ConfigError, loadConfig } from '../../src/config';

describe('mail configuration', () => {
  const expectInvalid = (env: Record<string, string>, variable: string, message: string) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${variable}: ${message}`);
  };

  it('defaults to files, the default sender and the default backoff', () => {
    const config = loadConfig({});
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.MAIL_FROM).toBe('Stagegate <stagegate@localhost>');
    expect(config.MAIL_RETRY_BACKOFF_MS).toEqual([5000, 30000, 120000, 600000]);
  });

  it('accepts smtp:// and smtps:// URLs with credentials, and a custom backoff and sender', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://alerts%40example.com:s3cr%3At@smtp.example.com:465',
      MAIL_FROM: 'ops@example.com',
      MAIL_RETRY_BACKOFF_MS: '0,10,1000',
    });
    expect(config.SMTP_URL).toBe('smtps://alerts%40example.com:s3cr%3At@smtp.example.com:465');
    expect(config.MAIL_FROM).toBe('ops@example.com');
    expect(config.MAIL_RETRY_BACKOFF_MS).toEqual([0, 10, 1000]);
    expect(loadConfig({ SMTP_URL: 'smtp://localhost:2525' }).SMTP_URL).toBe('smtp://localhost:2525');
  });

  it.each(['http://smtp.example.com', 'smtp:smtp.example.com', 'smtp://', 'smtp.example.com:25', 'smtp://exa mple.com'])(
    'rejects SMTP_URL=%s naming the variable',
    (value) => expectInvalid({ SMTP_URL: value }, 'SMTP_URL', 'must be smtp://[user:password@]host[:port] or smtps://'),
  );

  it('never echoes the SMTP password in the error', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://user:hunter2@smtp.example.com' })).toThrow(/^(?![\s\S]*hunter2)/);
  });

  it.each(['5s,30s', '5000,', '5000;30000', '-5000', 'soon'])('rejects MAIL_RETRY_BACKOFF_MS=%s naming the variable', (value) =>
    expectInvalid({ MAIL_RETRY_BACKOFF_MS: value }, 'MAIL_RETRY_BACKOFF_MS', 'must be comma-separated milliseconds'),
  );

  it.each(['Stagegate', 'Stagegate <stagegate>', 'a@b, c@d'])('rejects MAIL_FROM=%s naming the variable', (value) =>
    expectInvalid({ MAIL_FROM: value }, 'MAIL_FROM', 'must be an address such as'),
  );
});
