import { describe, expect, it } from 'vitest';
import {
  checkTotp,
  isRecoveryCodeShape,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  otpauthUri,
  qrCodeDataUrl,
  recoveryCodeHash,
  totpCode,
  twoFactorRequired,
} from './access.two-factor.ts';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const NOW = new Date('2026-03-02T09:30:10.000Z');
const step = (at: Date) => Math.floor(at.getTime() / 30_000);
const secondsFrom = (at: Date, s: number) => new Date(at.getTime() + s * 1000);

describe('two-factor rules', () => {
  it('requires two-factor sign-in for administrators and privacy officers only', () => {
    expect(twoFactorRequired(['partnership_admin'])).toBe(true);
    expect(twoFactorRequired(['practitioner', 'privacy_officer'])).toBe(true);
    expect(twoFactorRequired(['practitioner', 'front_door', 'team_manager'])).toBe(false);
    expect(twoFactorRequired([])).toBe(false);
  });

  it('accepts the code of now, and of a step either side for a phone whose clock is out', () => {
    for (const offset of [-30, 0, 30]) {
      const check = checkTotp(SECRET, totpCode(SECRET, secondsFrom(NOW, offset)), NOW, null);
      expect(check).toEqual({ ok: true, step: step(secondsFrom(NOW, offset)) });
    }
  });

  it('refuses a code from more than a step ago as expired, and one from further ahead as wrong', () => {
    expect(checkTotp(SECRET, totpCode(SECRET, secondsFrom(NOW, -90)), NOW, null)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(checkTotp(SECRET, totpCode(SECRET, secondsFrom(NOW, 120)), NOW, null)).toEqual({
      ok: false,
      reason: 'wrong',
    });
    expect(checkTotp(SECRET, totpCode(SECRET, secondsFrom(NOW, -3600)), NOW, null).ok).toBe(false);
  });

  it('refuses a code whose step was already used, or an earlier one', () => {
    const code = totpCode(SECRET, NOW);
    expect(checkTotp(SECRET, code, NOW, step(NOW))).toEqual({ ok: false, reason: 'reused' });
    const previous = totpCode(SECRET, secondsFrom(NOW, -30));
    expect(checkTotp(SECRET, previous, NOW, step(NOW))).toEqual({ ok: false, reason: 'reused' });
    expect(checkTotp(SECRET, code, NOW, step(NOW) - 1)).toEqual({ ok: true, step: step(NOW) });
  });

  it('refuses a code made from another secret', () => {
    const other = newTotpSecret();
    expect(other).toMatch(/^[A-Z2-7]{32}$/);
    expect(checkTotp(SECRET, totpCode(other, NOW), NOW, null).ok).toBe(false);
  });

  it('makes an otpauth address and a QR code image of it', async () => {
    const uri = otpauthUri(SECRET, 'admin@example.org');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Wraparound:admin%40example\.org\?/);
    expect(uri).toContain(`secret=${SECRET}`);
    expect(uri).toContain('issuer=Wraparound');
    const qr = await qrCodeDataUrl(uri);
    expect(qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qr.split(',')[1]!, 'base64').toString()).toContain('<svg');
  });

  it('makes ten different recovery codes that are easy to read, and hashes them per account', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}$/);
      expect(isRecoveryCodeShape(normaliseRecoveryCode(code))).toBe(true);
    }
    const code = codes[0]!;
    expect(recoveryCodeHash('u1', code)).toBe(
      recoveryCodeHash('u1', ` ${code.toUpperCase().replace(/-/g, ' ')} `),
    );
    expect(recoveryCodeHash('u1', code)).not.toBe(recoveryCodeHash('u2', code));
  });
});
