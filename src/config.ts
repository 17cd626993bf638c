import path from 'node:path';
import { z } from 'zod';

/** The only reader of process.env. Parsed once, frozen; a bad setting stops start-up naming the setting. */

/** A whole number in range, with a message that says what is wanted. */
const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

/** https, or http for a server on this machine (development and tests). */
const httpUrl = z.url({ error: 'must be a URL' }).refine((v) => {
  const url = new URL(v);
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
  );
}, 'must be an https:// URL (http:// only for localhost)');

const ConfigSchema = z.object({
  PORT: wholeNumber(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_ROW_SECURITY: z.stringbool({ error: 'must be true or false' }).default(true),
  DATA_DIR: z.string().min(1).default('data'),
  SESSION_IDLE_MINUTES: wholeNumber(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: wholeNumber(1, 72).default(12),
  COOKIE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TRUST_PROXY: z.stringbool({ error: 'must be true or false' }).default(false),
  SECURE_COOKIES: z.stringbool({ error: 'must be true or false' }).optional(),
  SIGN_IN_MAX_FAILURES: wholeNumber(1, 100).default(5),
  SIGN_IN_LOCKOUT_MINUTES: wholeNumber(1, 24 * 60).default(15),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EMERGENCY_ACCESS_HOURS: wholeNumber(1, 168).default(24),
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  OIDC_LABEL: z
    .string()
    .trim()
    .min(1)
    .max(60, 'must be 60 characters or fewer')
    .default('your organisation account'),
  OIDC_REDIRECT_URI: httpUrl.optional(),
  DEMO_CHILDREN: wholeNumber(0, 5_000_000).default(20_000),
  DEMO_SEED: wholeNumber(0, 2 ** 31 - 1).default(20260101),
});

export type Config = Readonly<{
  port: number;
  host: string;
  database:
    | { kind: 'pglite'; dataDir: string }
    /**
     * `rowSecurity`: signed-in people's queries act as the restricted role (src/db/partnership-scope.ts).
     * `readUrl`: a read replica for dashboards.
     */
    | { kind: 'postgres'; url: string; rowSecurity?: boolean; readUrl?: string };
  session: { idleMinutes: number; absoluteHours: number };
  cookieSecret: string | undefined;
  trustProxy: boolean;
  secureCookies: boolean;
  signIn: { maxFailures: number; lockoutMinutes: number };
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  demo: { children: number; seed: number };
  /** OpenID Connect sign-in; off unless OIDC_ISSUER and OIDC_CLIENT_ID are set. */
  oidc:
    | {
        issuer: string;
        clientId: string;
        clientSecret: string | undefined;
        label: string;
        redirectUri: string | undefined;
      }
    | undefined;
  emergencyAccessHours: number;
}>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Their values never appear in a message: they may hold passwords. */
const SECRET_SETTINGS = new Set(['COOKIE_SECRET', 'DATABASE_URL', 'DATABASE_READ_URL', 'OIDC_CLIENT_SECRET']);

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty setting means "not set", never 0 or false.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = ConfigSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const setting = String(issue.path[0] ?? 'settings');
    const value = given[setting];
    const shown = value === undefined || SECRET_SETTINGS.has(setting) ? '' : `=${JSON.stringify(value)}`;
    throw new ConfigError(`Setting ${setting}${shown} is invalid: ${issue.message}`);
  }
  const e = parsed.data;
  if (Boolean(e.OIDC_ISSUER) !== Boolean(e.OIDC_CLIENT_ID)) {
    const missing = e.OIDC_ISSUER ? 'OIDC_CLIENT_ID' : 'OIDC_ISSUER';
    throw new ConfigError(`Setting ${missing} is missing: OIDC_ISSUER and OIDC_CLIENT_ID are set together`);
  }
  if (e.DATABASE_READ_URL && !e.DATABASE_URL)
    throw new ConfigError(
      'Setting DATABASE_READ_URL needs DATABASE_URL: a replica is a copy of a PostgreSQL primary',
    );
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          rowSecurity: e.DATABASE_ROW_SECURITY,
          ...(e.DATABASE_READ_URL && { readUrl: e.DATABASE_READ_URL }),
        }
      : {
          kind: 'pglite',
          dataDir: e.DATA_DIR.startsWith('memory://') ? e.DATA_DIR : path.resolve(e.DATA_DIR),
        },
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
    cookieSecret: e.COOKIE_SECRET,
    trustProxy: e.TRUST_PROXY,
    secureCookies: e.SECURE_COOKIES ?? e.TRUST_PROXY,
    signIn: { maxFailures: e.SIGN_IN_MAX_FAILURES, lockoutMinutes: e.SIGN_IN_LOCKOUT_MINUTES },
    logLevel: e.LOG_LEVEL,
    demo: { children: e.DEMO_CHILDREN, seed: e.DEMO_SEED },
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            label: e.OIDC_LABEL,
            redirectUri: e.OIDC_REDIRECT_URI,
          }
        : undefined,
    emergencyAccessHours: e.EMERGENCY_ACCESS_HOURS,
  } satisfies Config);
}
