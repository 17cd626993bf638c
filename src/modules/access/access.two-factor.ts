import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Role } from '../../common/context.ts';

/**
 * The rules of two-factor sign-in, free of the database: which roles must use it, how a TOTP code is
 * checked (once, within a step either side of now), and what recovery codes look like.
 */

/** Roles that may not have a session without a second factor. The one place this list lives. */
export const TWO_FACTOR_REQUIRED_ROLES = [
  'partnership_admin',
  'privacy_officer',
] as const satisfies readonly Role[];

export function twoFactorRequired(roles: readonly string[]): boolean {
  return roles.some((r) => (TWO_FACTOR_REQUIRED_ROLES as readonly string[]).includes(r));
}

export const TOTP_ISSUER = 'Wraparound';
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps either side of now that still count: allows for a phone's clock being 30 seconds out. */
const ACCEPT_WINDOW = 1;
/** How far back a matching code is recognised as one that has expired, rather than simply wrong. */
const EXPIRED_WINDOW = 10;

export const RECOVERY_CODE_COUNT = 10;
/** Letters and digits that cannot be mistaken for each other (no i, l, o, 0, 1). */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_LENGTH = 16;

function totp(secret: string, label = ''): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** A new random secret, 160 bits, in base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function otpauthUri(secret: string, accountName: string): string {
  return totp(secret, accountName).toString();
}

/** The address as a QR code, an SVG image in a data: URL (the page's CSP allows data: images). */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/** The code an app shows at `at`: for tests, the demo and the CLI. */
export function totpCode(secret: string, at: Date): string {
  return totp(secret).generate({ timestamp: at.getTime() });
}

export type CodeCheck = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'expired' | 'reused' };

/**
 * Checks a 6-digit code against the secret at `now`. A code from a step already used (or an earlier
 * one) is refused, so an overheard code cannot be replayed; so is one from more than a step ago.
 */
export function checkTotp(secret: string, code: string, now: Date, lastUsedStep: number | null): CodeCheck {
  const t = totp(secret);
  const timestamp = now.getTime();
  const delta = t.validate({ token: code, timestamp, window: EXPIRED_WINDOW });
  if (delta === null || delta > ACCEPT_WINDOW) return { ok: false, reason: 'wrong' };
  if (delta < -ACCEPT_WINDOW) return { ok: false, reason: 'expired' };
  const step = t.counter({ timestamp }) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: 'reused' };
  return { ok: true, step };
}

/** Ten new recovery codes, shown to the person once, like `abcd-efgh-jkmn-pqrs` (about 79 bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < RECOVERY_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    return code.match(/.{4}/g)!.join('-');
  });
}

/** As typed: any case, with or without the hyphens and spaces. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '');
}

export function isRecoveryCodeShape(normalised: string): boolean {
  return new RegExp(`^[a-z0-9]{${RECOVERY_LENGTH}}$`).test(normalised);
}

/**
 * Stored as a SHA-256 hash bound to the account. The codes are random and long enough that a slow
 * password hash would add nothing but time.
 */
export function recoveryCodeHash(userId: string, code: string): string {
  return createHash('sha256')
    .update(`${userId}:${normaliseRecoveryCode(code)}`)
    .digest('hex');
}
