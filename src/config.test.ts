import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

// Every test passes its own environment: nothing here reads or changes process.env.

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: path.resolve('data') },
      session: { idleMinutes: 30, absoluteHours: 12 },
      cookieSecret: undefined,
      trustProxy: false,
      secureCookies: false,
      signIn: { maxFailures: 5, lockoutMinutes: 15 },
      logLevel: 'info',
      demo: { children: 20_000, seed: 20260101 },
      emergencyAccessHours: 24,
      oidc: undefined,
    });
  });

  it('reads how long emergency access lasts, and refuses a value outside 1 to 168 hours', () => {
    expect(loadConfig({ EMERGENCY_ACCESS_HOURS: '4' }).emergencyAccessHours).toBe(4);
    expect(() => loadConfig({ EMERGENCY_ACCESS_HOURS: '0' })).toThrow(
      'Setting EMERGENCY_ACCESS_HOURS="0" is invalid: must be a whole number from 1 to 168',
    );
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => Object.assign(config, { port: 1 })).toThrow(TypeError);
  });

  it('reads each setting it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: 'var/wraparound',
      SESSION_IDLE_MINUTES: '20',
      SESSION_ABSOLUTE_HOURS: '8',
      COOKIE_SECRET: 'x'.repeat(32),
      SIGN_IN_MAX_FAILURES: '3',
      SIGN_IN_LOCKOUT_MINUTES: '60',
      LOG_LEVEL: 'warn',
      DEMO_CHILDREN: '500',
      DEMO_SEED: '7',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      database: { kind: 'pglite', dataDir: path.resolve('var/wraparound') },
      session: { idleMinutes: 20, absoluteHours: 8 },
      cookieSecret: 'x'.repeat(32),
      signIn: { maxFailures: 3, lockoutMinutes: 60 },
      logLevel: 'warn',
      demo: { children: 500, seed: 7 },
    });
  });

  it.each(['postgres://app@db.example:5432/wraparound', 'postgresql://localhost/wraparound'])(
    'uses PostgreSQL when DATABASE_URL is %s',
    (url) => {
      expect(loadConfig({ DATABASE_URL: url, DATA_DIR: 'ignored' }).database).toEqual({
        kind: 'postgres',
        url,
        rowSecurity: true,
      });
    },
  );

  it('takes a read replica for dashboards only beside a PostgreSQL primary', () => {
    const url = 'postgres://app@db.example/wraparound';
    const readUrl = 'postgres://app@replica.example/wraparound';
    expect(loadConfig({ DATABASE_URL: url, DATABASE_READ_URL: readUrl }).database).toMatchObject({ readUrl });
    expect(() => loadConfig({ DATABASE_READ_URL: readUrl })).toThrow(/DATABASE_READ_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: url, DATABASE_READ_URL: 'mysql://x' })).toThrow(
      /DATABASE_READ_URL/,
    );
  });

  it('turns row-level security on with PostgreSQL unless told not to', () => {
    const url = 'postgres://app@db.example/wraparound';
    expect(loadConfig({ DATABASE_URL: url }).database).toMatchObject({ rowSecurity: true });
    expect(loadConfig({ DATABASE_URL: url, DATABASE_ROW_SECURITY: 'false' }).database).toMatchObject({
      rowSecurity: false,
    });
    expect(() => loadConfig({ DATABASE_URL: url, DATABASE_ROW_SECURITY: 'maybe' })).toThrow(
      /DATABASE_ROW_SECURITY/,
    );
  });

  it.each([
    [{}, false, false],
    [{ TRUST_PROXY: 'true' }, true, true],
    [{ TRUST_PROXY: 'true', SECURE_COOKIES: 'false' }, true, false],
    [{ TRUST_PROXY: 'false', SECURE_COOKIES: 'true' }, false, true],
  ])('with %o trusts the proxy: %s, secure cookies: %s', (env, trustProxy, secureCookies) => {
    expect(loadConfig(env)).toMatchObject({ trustProxy, secureCookies });
  });
});

describe('loadConfig refuses a bad setting, naming it', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://localhost/wraparound'],
    ['DATABASE_URL', 'localhost:5432'],
    ['SESSION_IDLE_MINUTES', '0'],
    ['SESSION_ABSOLUTE_HOURS', '100'],
    ['COOKIE_SECRET', 'too-short'],
    ['TRUST_PROXY', 'maybe'],
    ['SECURE_COOKIES', 'sometimes'],
    ['SIGN_IN_MAX_FAILURES', 'many'],
    ['LOG_LEVEL', 'verbose'],
    ['DEMO_CHILDREN', '-1'],
  ])('%s=%j', (setting, value) => {
    const load = () => loadConfig({ [setting]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^Setting ${setting}\\b.* is invalid: .+`));
  });

  it('says what is wrong with the value', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://localhost/x' })).toThrow(
      /must be a postgres:\/\/ or postgresql:\/\/ URL/,
    );
    expect(() => loadConfig({ COOKIE_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });
});

describe('settings that must not leak or surprise', () => {
  it('never repeats a secret value in its message', () => {
    expect(() => loadConfig({ COOKIE_SECRET: 'hunter2' })).toThrow(
      /^Setting COOKIE_SECRET is invalid: must be at least 32 characters$/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:s3cret@db/x' })).toThrow(
      /^Setting DATABASE_URL is invalid/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:s3cret@db/x' })).not.toThrow(/s3cret/);
  });

  it('treats an empty setting as not set', () => {
    const config = loadConfig({ PORT: '', DEMO_CHILDREN: '', DATABASE_URL: '' });
    expect(config.port).toBe(3000);
    expect(config.demo.children).toBe(20_000);
    expect(config.database.kind).toBe('pglite');
  });
});

describe('an in-memory embedded database', () => {
  it('keeps DATA_DIR=memory:// as it is, not as a folder path', () => {
    expect(loadConfig({ DATA_DIR: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: 'memory://' });
  });
});

describe('OpenID Connect settings', () => {
  const complete = {
    OIDC_ISSUER: 'https://login.northbridge.example/',
    OIDC_CLIENT_ID: 'wraparound',
    OIDC_CLIENT_SECRET: 'the client secret',
  };

  it('is off unless an issuer and a client id are both set', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    expect(() => loadConfig({ OIDC_ISSUER: complete.OIDC_ISSUER })).toThrow(
      /^Setting OIDC_CLIENT_ID is missing/,
    );
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'wraparound' })).toThrow(/^Setting OIDC_ISSUER is missing/);
  });

  it('reads the issuer, client, label and callback address', () => {
    expect(loadConfig(complete).oidc).toEqual({
      issuer: complete.OIDC_ISSUER,
      clientId: 'wraparound',
      clientSecret: 'the client secret',
      label: 'your organisation account',
      redirectUri: undefined,
    });
    const labelled = loadConfig({
      ...complete,
      OIDC_LABEL: 'NHS Care Identity',
      OIDC_REDIRECT_URI: 'https://wraparound.northbridge.example/sign-in/oidc/callback',
    });
    expect(labelled.oidc?.label).toBe('NHS Care Identity');
    expect(labelled.oidc?.redirectUri).toBe('https://wraparound.northbridge.example/sign-in/oidc/callback');
  });

  it('wants https, except for a provider on this machine', () => {
    expect(() => loadConfig({ ...complete, OIDC_ISSUER: 'http://login.northbridge.example' })).toThrow(
      /^Setting OIDC_ISSUER="http:\/\/login.northbridge.example" is invalid: must be an https:\/\/ URL/,
    );
    expect(loadConfig({ ...complete, OIDC_ISSUER: 'http://127.0.0.1:4000' }).oidc?.issuer).toBe(
      'http://127.0.0.1:4000',
    );
  });

  it('never repeats the client secret', () => {
    const secret = `s3cret-${'x'.repeat(2000)}`;
    expect(() => loadConfig({ ...complete, OIDC_CLIENT_SECRET: secret })).toThrow(
      /^Setting OIDC_CLIENT_SECRET is invalid: /,
    );
    expect(() => loadConfig({ ...complete, OIDC_CLIENT_SECRET: secret })).not.toThrow(/s3cret/);
  });
});
