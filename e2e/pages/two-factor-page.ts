import { totpCode } from '../../src/modules/access/index.ts';
import { BasePage } from './base-page.ts';

const STEP_MS = 30_000;

/** "Enter the code from your authenticator app", after the password of an account with two-factor. */
export class TwoFactorPage extends BasePage {
  static readonly heading = 'Enter the code from your authenticator app';

  async enterCode(code: string): Promise<void> {
    await this.page.getByLabel(TwoFactorPage.heading).fill(code);
    await this.submitWith(this.page.getByRole('button', { name: 'Continue' }));
  }

  /**
   * Enters the code the app would show now for `secret`. A code works once, and other journeys may
   * sign in to the same demo account at the same moment: if the server says the code was used, wait
   * for the app's next code, as a person would.
   */
  async enterCurrentCode(secret: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.enterCode(totpCode(secret, new Date()));
      if (!this.page.url().includes('/sign-in/two-factor')) return;
      const again = await TwoFactorPage.verifyOnPage(this.journey);
      const error = await again.fieldError('code');
      if (!error?.includes('already been used') && !error?.includes('expired')) return;
      await this.page.waitForTimeout(STEP_MS - (Date.now() % STEP_MS) + 500);
    }
  }

  async useRecoveryCode(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Use a recovery code instead' }));
  }
}

export class RecoveryCodePage extends BasePage {
  static readonly heading = 'Enter a recovery code';

  async enterCode(code: string): Promise<void> {
    await this.page.getByLabel(RecoveryCodePage.heading).fill(code);
    await this.submitWith(this.page.getByRole('button', { name: 'Continue' }));
  }
}

/** Setting up an authenticator app: a QR code, the key as text, and a code to confirm. */
export class TwoFactorSetUpPage extends BasePage {
  static readonly heading = 'Set up two-factor authentication';

  /** The key shown for people who cannot scan (inside a details element: opened first). */
  async secret(): Promise<string> {
    await this.page.getByText('I cannot scan the QR code').click();
    return (await this.page.locator('#secret-key').innerText()).replace(/\s/g, '');
  }

  async hasQrCode(): Promise<boolean> {
    const src = await this.page.locator('img.app-qr-code').getAttribute('src');
    return Boolean(src?.startsWith('data:image/svg+xml;base64,'));
  }

  async confirm(code: string): Promise<void> {
    await this.page.getByLabel('Code from your authenticator app').fill(code);
    await this.submitWith(this.page.locator('main form button'));
  }
}

export class RecoveryCodesPage extends BasePage {
  static readonly heading = 'Save your recovery codes';

  async codes(): Promise<string[]> {
    return (await this.page.locator('#recovery-codes code').allInnerTexts()).map((c) => c.trim());
  }

  async saved(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'I have saved my recovery codes' }));
  }
}

export class AccountPage extends BasePage {
  static readonly heading = 'Your account';

  status(): Promise<string> {
    return this.summaryValue('Status');
  }

  async turnOnTwoFactor(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Turn on two-factor authentication' }));
  }
}
