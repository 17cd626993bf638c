import { BasePage } from './base-page.ts';

/** The plans a practitioner leads or serves on. */
export class PlansYouWorkOnPage extends BasePage {
  static readonly heading = 'Plans you work on';

  async openPlan(familyName: string): Promise<void> {
    await this.follow(this.page.locator('main').getByRole('link', { name: familyName, exact: true }).first());
  }
}

/** One family's plan; its heading is the family's name. */
export class PlanPage extends BasePage {
  static readonly heading = /family$/;

  /** A button-styled link (a GOV.UK button with an address) or a plain link. */
  async open(link: 'Add an action' | 'Record a review' | 'Family sign-ins'): Promise<void> {
    const role = link === 'Family sign-ins' ? 'link' : 'button';
    await this.follow(this.page.locator('main').getByRole(role, { name: link, exact: true }));
  }

  /** The rows of the actions table: what, who, due by, status. */
  async actionRow(description: string): Promise<string[] | undefined> {
    const row = this.page
      .getByRole('table', { name: 'Actions, overdue first, then by due date' })
      .locator('tbody tr', { hasText: description });
    if ((await row.count()) === 0) return undefined;
    return (await row.first().locator('th, td').allInnerTexts()).map((t) => t.trim());
  }

  async reviewDecisions(): Promise<string[]> {
    return this.page
      .getByRole('table', { name: 'Reviews, newest first' })
      .locator('tbody tr')
      .allInnerTexts();
  }
}

/** Due dates and held dates are GOV.UK date inputs: day, month and year boxes. */
async function fillDate(page: BasePage['page'], id: string, date: string) {
  const [year, month, day] = date.split('-');
  await page.locator(`#${id}-day`).fill(day!);
  await page.locator(`#${id}-month`).fill(month!);
  await page.locator(`#${id}-year`).fill(year!);
}

export class ActionFormPage extends BasePage {
  static readonly heading = 'Add an action';

  async addFamilyAction(action: { description: string; who: string; support: string; dueOn: string }) {
    await this.page.getByLabel('What will be done').fill(action.description);
    await this.page.getByRole('radio', { name: 'The family', exact: true }).check();
    await this.page.getByLabel('If the family: who in the family').fill(action.who);
    await this.page.getByLabel('The support they need to do it (optional)').fill(action.support);
    await fillDate(this.page, 'dueOn', action.dueOn);
    await this.page.getByRole('group', { name: 'Can the family see this action?' }).getByLabel('Yes').check();
    await this.submitWith(this.page.getByRole('button', { name: 'Add the action' }));
  }

  async send(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Add the action' }));
  }
}

export class ChangeActionPage extends BasePage {
  static readonly heading = 'Change the action';

  async describe(description: string): Promise<void> {
    await this.page.getByLabel('What will be done', { exact: true }).fill(description);
    await this.submitWith(this.page.getByRole('button', { name: /^Save/ }));
  }

  /** The list of what someone else saved since this person opened the page: label, then both values. */
  async savedByOthers(): Promise<string[][]> {
    const rows = this.page.locator('#saved-by-others .govuk-summary-list__row');
    return Promise.all(
      (await rows.all()).map(async (row) =>
        (await row.locator('dt, dd').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()),
      ),
    );
  }

  async description(): Promise<string> {
    return this.page.getByLabel('What will be done', { exact: true }).inputValue();
  }
}

export class ReviewFormPage extends BasePage {
  static readonly heading = 'Record a review';

  async record(review: { heldOn: string; familyViews: string; decisions: string }) {
    await fillDate(this.page, 'heldOn', review.heldOn);
    await this.page.getByLabel('The family’s views').fill(review.familyViews);
    await this.page.getByLabel('Decisions').fill(review.decisions);
    await this.submitWith(this.page.getByRole('button', { name: 'Record the review' }));
  }
}

export class FamilyAccountsPage extends BasePage {
  static readonly heading = /^Family sign-ins for the /;

  async addAccount(): Promise<void> {
    await this.follow(
      this.page.locator('main').getByRole('button', { name: 'Give a family member a sign-in' }),
    );
  }
}

export class FamilyAccountFormPage extends BasePage {
  static readonly heading = 'Give a family member a sign-in';

  async give(person: { name: string; email: string }): Promise<void> {
    await this.page.getByLabel('Their name').fill(person.name);
    await this.page.getByLabel('Their email address').fill(person.email);
    await this.page.getByRole('group', { name: 'Who are they in the family?' }).getByLabel('Parent').check();
    await this.page
      .getByRole('group', { name: 'Which language do they want to read their plan in?' })
      .getByLabel('English')
      .check();
    await this.submitWith(this.page.getByRole('button', { name: 'Give them a sign-in' }));
  }
}

export class FamilyCodePage extends BasePage {
  static readonly heading = /^Sign-in made for /;

  async code(): Promise<string> {
    return (await this.page.locator('.app-secret').innerText()).trim();
  }
}

export class ActivatePage extends BasePage {
  static readonly heading = 'Set up your sign-in';

  async activate(email: string, code: string, password: string): Promise<void> {
    await this.page.locator('#email').fill(email);
    await this.page.locator('#code').fill(code);
    await this.page.locator('#password').fill(password);
    await this.page.locator('#confirmPassword').fill(password);
    await this.submitWith(this.page.getByRole('button', { name: 'Set up sign-in' }));
  }
}

/** The family's own plan, in English or Welsh. */
export class FamilyPlanPage extends BasePage {
  static readonly heading = /^(Your family’s plan|Cynllun eich teulu)$/;

  async markDone(description: string): Promise<void> {
    const button = this.page.getByRole('button', { name: new RegExp(`: ${escapeRegExp(description)}$`) });
    await this.submitWith(button);
  }

  async comment(text: string): Promise<void> {
    await this.page.locator('#body').fill(text);
    await this.submitWith(this.page.getByRole('button', { name: 'Send comment' }));
  }

  async switchTo(language: 'Cymraeg' | 'English'): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: language }));
  }

  async text(): Promise<string> {
    return this.page.locator('main').innerText();
  }
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A child's assessments; its heading names the child. */
export class ChildAssessmentsPage extends BasePage {
  static readonly heading = /^Assessments/;

  async start(): Promise<void> {
    await this.follow(this.page.locator('main').getByRole('button', { name: 'Start an assessment' }));
  }
}

export class StartAssessmentPage extends BasePage {
  static readonly heading = 'Start an assessment';

  /** Takes the suggested template (the one whose hint says so) and starts. */
  async startSuggested(): Promise<string> {
    const suggested = this.page
      .locator('.govuk-radios__item', { hasText: 'Suggested' })
      .first()
      .locator('input[type=radio]');
    await suggested.check();
    const label = await this.page.locator(`label[for="${await suggested.getAttribute('id')}"]`).innerText();
    await this.submitWith(this.page.getByRole('button', { name: 'Start the assessment' }));
    return label.replace(/ \(version \d+\)$/, '').trim();
  }
}

/** An assessment's overview; its heading is the template's title. */
export class AssessmentPage extends BasePage {
  static readonly heading = /assessment|Triangle/i;

  async openSection(title: string): Promise<void> {
    await this.follow(this.page.locator('main').getByRole('link', { name: title, exact: true }));
  }

  async sectionStatus(title: string): Promise<string> {
    const item = this.page.locator('.govuk-task-list__item', { hasText: title });
    return (await item.locator('.govuk-task-list__status').innerText()).trim();
  }
}

export class AssessmentSectionPage extends BasePage {
  static readonly heading = /\S/;

  async answer(label: string, text: string): Promise<void> {
    await this.page.getByLabel(label).fill(text);
  }

  async save(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Save this section' }));
  }
}
