import { BasePage } from './base-page.ts';

export type AccountDetails = {
  displayName: string;
  email: string;
  jobTitle?: string;
  organisation?: string;
  roles: string[];
  password: string;
};

export class UserFormPage extends BasePage {
  static readonly heading = 'Create an account';

  /** Fills every field; roles not listed are unticked. */
  async fillIn(details: AccountDetails): Promise<void> {
    await this.page.getByLabel('Full name').fill(details.displayName);
    await this.page.getByLabel('Email address').fill(details.email);
    await this.page.getByLabel('Job title (optional)').fill(details.jobTitle ?? '');
    if (details.organisation)
      await this.page.getByLabel('Home organisation').selectOption({ label: details.organisation });
    for (const item of await this.rolesGroup().locator('.govuk-checkboxes__item').all()) {
      const label = (await item.locator('label').innerText()).trim();
      await item.locator('input').setChecked(details.roles.includes(label));
    }
    await this.page.getByLabel('Initial password').fill(details.password);
  }

  async create(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Create account' }));
  }

  async value(label: string): Promise<string> {
    return this.page.getByLabel(label, { exact: true }).inputValue();
  }

  async checkedRoles(): Promise<string[]> {
    const checked: string[] = [];
    for (const item of await this.rolesGroup().locator('.govuk-checkboxes__item').all()) {
      if (await item.locator('input').isChecked())
        checked.push((await item.locator('label').innerText()).trim());
    }
    return checked;
  }

  private rolesGroup() {
    return this.page.getByRole('group', { name: 'Roles' });
  }
}
