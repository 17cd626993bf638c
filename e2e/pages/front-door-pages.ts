import type { Page } from 'playwright-core';
import { BasePage } from './base-page.ts';

/** The value beside a key in a GOV.UK summary list, the key matched whole ("Referrer" is not "What worries the referrer"). */
async function summaryValueOf(page: Page, key: string): Promise<string> {
  const exact = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const row = page.locator('.govuk-summary-list__row', {
    has: page.locator('.govuk-summary-list__key', { hasText: exact }),
  });
  return (await row.locator('.govuk-summary-list__value').innerText()).trim();
}

/** What a keyboard user has reached: the focused element's id, name, type, state and text. */
export type Focus = { id: string; name: string; type: string; checked: boolean; text: string };

export async function focused(page: Page): Promise<Focus> {
  // A string expression: this side has no DOM types.
  return page.evaluate<Focus>(`(() => {
    const el = document.activeElement;
    if (!el) return { id: '', name: '', type: '', checked: false, text: '' };
    return {
      id: el.id || '',
      name: el.getAttribute('name') || '',
      type: el.getAttribute('type') || el.tagName.toLowerCase(),
      checked: Boolean(el.checked),
      text: (el.textContent || '').trim(),
    };
  })()`);
}

/**
 * Moves focus with Tab (or Shift+Tab, when the target comes earlier in the page) until `matches`
 * says the focused element is the one wanted: as a keyboard user would, never with a click.
 */
async function tabUntil(page: Page, matches: (f: Focus) => boolean, target: string, backwards = false) {
  const stops: string[] = [];
  for (let i = 0; i < 40; i++) {
    const now = await focused(page);
    if (matches(now)) return;
    stops.push(now.id || now.name || now.text.slice(0, 30));
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tabbed 40 times without reaching ${target}: ${stops.join(' → ')}`);
}

/** Whether the element with this id comes before the focused element in the page (so Shift+Tab). */
async function isBehindFocus(page: Page, id: string): Promise<boolean> {
  return page.evaluate<boolean>(`(() => {
    const target = document.getElementById(${JSON.stringify(id)});
    const active = document.activeElement;
    if (!target || !active || active === document.body) return false;
    return Boolean(active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING);
  })()`);
}

export type PractitionerContact = {
  givenName: string;
  familyName: string;
  dob: { day: string; month: string; year: string };
  postcode: string;
  worries: string;
  /** The school's questions, by their key: attendance, behaviour (exclusions is optional). */
  answers: Record<string, string>;
  /** Radio values, as the form posts them. */
  urgency: 'immediate' | 'today' | 'standard';
  familyAware: 'yes' | 'no';
  consent: 'given' | 'refused' | 'not_sought';
  consentReason?: string;
  channel: 'phone' | 'email' | 'online_form' | 'in_person' | 'letter';
};

/** "Tell the front door about a child": a practitioner's contact, with their sector's questions. */
export class ContactFormPage extends BasePage {
  static readonly heading = 'Tell the front door about a child';

  async send(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Send to the front door' }));
  }

  /** The labels of the sector's questions the form asks. */
  async sectorQuestions(): Promise<string[]> {
    const labels = this.page.locator('label[for^="answer-"]');
    return (await labels.allInnerTexts()).map((t) => t.trim());
  }

  async isErrorSummaryFocused(): Promise<boolean> {
    return this.page.evaluate<boolean>(
      `document.activeElement ? document.activeElement.classList.contains('govuk-error-summary') : false`,
    );
  }

  /** Tabs from the (focused) error summary to its first link and follows it with Enter; answers the focus. */
  async followFirstErrorLinkByKeyboard(): Promise<Focus> {
    await this.page.keyboard.press('Tab');
    const link = await focused(this.page);
    const first = (await this.errorSummary())?.links[0];
    if (!first || link.text !== first.text)
      throw new Error(`Tab from the error summary reached "${link.text}", not its first link`);
    await this.page.keyboard.press('Enter');
    return focused(this.page);
  }

  /** Fills in the whole form with Tab, Shift+Tab, typing, Space and the arrow keys; sends it with Enter. */
  async completeByKeyboard(contact: PractitionerContact): Promise<void> {
    await this.typeInto('childGivenName', contact.givenName);
    await this.typeInto('childFamilyName', contact.familyName);
    await this.typeInto('dob-day', contact.dob.day);
    await this.typeInto('dob-month', contact.dob.month);
    await this.typeInto('dob-year', contact.dob.year);
    await this.typeInto('childPostcode', contact.postcode);
    await this.typeInto('worries', contact.worries);
    for (const [key, answer] of Object.entries(contact.answers)) await this.typeInto(`answer-${key}`, answer);
    await this.chooseByKeyboard('urgency', contact.urgency);
    await this.chooseByKeyboard('familyAware', contact.familyAware);
    await this.chooseByKeyboard('consent', contact.consent);
    if (contact.consentReason) await this.typeInto('consentReason', contact.consentReason);
    await this.chooseByKeyboard('channel', contact.channel);
    const page = this.page;
    await tabUntil(page, (f) => f.type === 'submit' && f.text === 'Send to the front door', 'the button');
    await this.journey.navigate(() => page.keyboard.press('Enter'));
  }

  private async typeInto(id: string, text: string): Promise<void> {
    const backwards = await isBehindFocus(this.page, id);
    await tabUntil(this.page, (f) => f.id === id, `#${id}`, backwards);
    await this.page.keyboard.type(text);
  }

  /**
   * Tab reaches a radio group once, on its first radio when none is chosen; the arrow keys then move
   * through the group, choosing as they go; Space chooses the first.
   */
  private async chooseByKeyboard(name: string, value: string): Promise<void> {
    const page = this.page;
    await tabUntil(page, (f) => f.type === 'radio' && f.name === name, `the ${name} radios`);
    for (let i = 0; i < 10; i++) {
      const value_ = await page.evaluate<string>(`document.activeElement.value`);
      if (value_ === value) {
        if (!(await focused(page)).checked) await page.keyboard.press('Space');
        return;
      }
      await page.keyboard.press('ArrowDown');
    }
    throw new Error(`No ${name} radio with the value ${value}`);
  }
}

export type PublicConcern = {
  familyName: string;
  postcode: string;
  worries: string;
  urgency: string;
  familyAware: 'Yes' | 'No';
  consent: string;
  consentReason?: string;
};

/** The public "Report a concern about a child" page of an area, for anyone, signed in or not. */
export class ReportConcernPage extends BasePage {
  static readonly heading = 'Report a concern about a child';

  async fillIn(concern: PublicConcern): Promise<void> {
    const page = this.page;
    await page.getByLabel('Family name').fill(concern.familyName);
    await page.getByLabel('Postcode').fill(concern.postcode);
    await page.getByLabel('What worries you about the child?').fill(concern.worries);
    await page.getByRole('group', { name: 'How urgent is it?' }).getByLabel(concern.urgency).check();
    await page
      .getByRole('group', { name: 'Does the family know you are contacting the front door?' })
      .getByLabel(concern.familyAware, { exact: true })
      .check();
    await page.getByRole('group', { name: 'Does the family agree?' }).getByLabel(concern.consent).check();
    if (concern.consentReason)
      await page.getByLabel('If the family does not know or agree, why not?').fill(concern.consentReason);
  }

  async send(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Send to the front door' }));
  }
}

/** The confirmation after a public report, with its reference in the panel. */
export class ConcernSentPage extends BasePage {
  static readonly heading = 'Your concern has been sent';

  async reference(): Promise<string> {
    return (await this.page.locator('.govuk-panel__body strong').innerText()).trim();
  }
}

export type MyContactRow = { contact: string; child: string; status: string; outcome: string };

/** "Contacts you made": a practitioner's own contacts, newest first, with the outcome once told. */
export class ContactsYouMadePage extends BasePage {
  static readonly heading = 'Contacts you made';

  async rowFor(number: string): Promise<MyContactRow | undefined> {
    const rows = await this.tableRows(this.page.locator('main table'));
    const row = rows.find(([contact = '']) => contact.split('\n')[0]?.trim() === number);
    if (!row) return undefined;
    const [contact = '', child = '', status = '', outcome = ''] = row;
    return { contact: contact.split('\n')[0]!.trim(), child, status, outcome };
  }

  async open(number: string): Promise<void> {
    await this.follow(this.page.locator('main table').getByRole('link', { name: number, exact: true }));
  }

  /** Loads the list again, to see where each contact stands now. */
  async refresh(): Promise<void> {
    await this.journey.navigate(() => this.page.reload());
  }
}

/** The front door's queue of open contacts, soonest due first, in views. */
export class FrontDoorQueuePage extends BasePage {
  static readonly heading = 'Front door';

  async show(view: 'All open' | 'Claimed by you' | 'Not claimed' | 'Overdue' | 'Awaiting approval') {
    const nav = this.page.getByRole('navigation', { name: 'Contacts to show' });
    await this.follow(nav.getByRole('link', { name: view, exact: true }));
  }

  /**
   * Pages through the queue (soonest due first, so a new contact may not be on the first page) until
   * the contact is listed; answers the page that lists it.
   */
  async pageTo(number: string, pagesLeft = 20): Promise<FrontDoorQueuePage> {
    if ((await this.rowLocator(number).count()) > 0) return this;
    const next = this.page.locator('.govuk-pagination__next a');
    if (pagesLeft === 0 || (await next.count()) === 0)
      throw new Error(`Contact ${number} is not in the queue`);
    await this.follow(next);
    return (await FrontDoorQueuePage.verifyOnPage(this.journey)).pageTo(number, pagesLeft - 1);
  }

  /** The row of a contact (its number's link names the child for screen readers), as it reads on screen. */
  async rowFor(number: string): Promise<string[] | undefined> {
    const row = this.rowLocator(number);
    if ((await row.count()) === 0) return undefined;
    return (await row.locator('td').allInnerTexts()).map((t) => t.trim());
  }

  async open(number: string): Promise<void> {
    await this.follow(this.rowLocator(number).getByRole('link'));
  }

  private rowLocator(number: string) {
    return this.page
      .locator('main tbody tr')
      .filter({ has: this.page.getByRole('link', { name: new RegExp(`^${number} about `) }) });
  }
}

export type RequestRow = { agency: string; asked: string; answer: string };

/** One contact. Front-door workers see all of it and its actions; the referrer sees a summary. */
export class ContactPage extends BasePage {
  static readonly heading = /^Contact \d+$/;

  /** The tags under the heading: the status, and the priority once set. */
  async tags(): Promise<string[]> {
    const tags = this.page.locator('main p.govuk-body').first().locator('.govuk-tag');
    return (await tags.allInnerTexts()).map((t) => t.trim());
  }

  value(key: string): Promise<string> {
    return summaryValueOf(this.page, key);
  }

  /** The answers to the referrer's sector questions, by question. */
  async triageAnswers(): Promise<Record<string, string>> {
    const list = this.page.locator('h2:has-text("The referrer’s answers for triage") + dl');
    const answers: Record<string, string> = {};
    for (const row of await list.locator('.govuk-summary-list__row').all()) {
      answers[(await row.locator('dt').innerText()).trim()] = (await row.locator('dd').innerText()).trim();
    }
    return answers;
  }

  async requests(): Promise<RequestRow[]> {
    const table = this.page.locator('table', {
      has: this.page.locator('caption', { hasText: 'Requests to partner agencies' }),
    });
    return (await this.tableRows(table)).map(([agency = '', asked = '', answer = '']) => ({
      agency,
      asked,
      answer,
    }));
  }

  /** The names of the actions offered: buttons and links in the Actions column. */
  async actions(): Promise<string[]> {
    const column = this.page.locator('.govuk-grid-column-one-third', {
      has: this.page.getByRole('heading', { name: 'Actions' }),
    });
    if ((await column.count()) === 0) return [];
    const names = await column.locator('a, button').allInnerTexts();
    return names.map((t) => t.trim());
  }

  async claim(): Promise<void> {
    await this.submitWith(this.page.getByRole('button', { name: 'Claim this contact' }));
  }

  async setPriority(priority: 'Red' | 'Amber' | 'Green'): Promise<void> {
    await this.page.getByRole('group', { name: 'Priority' }).getByLabel(priority, { exact: true }).check();
    await this.submitWith(this.page.getByRole('button', { name: 'Set priority' }));
  }

  async askAnAgency(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Ask an agency for information' }));
  }

  async decide(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Decide', exact: true }));
  }

  async approveOrReturn(): Promise<void> {
    await this.follow(this.page.getByRole('button', { name: 'Approve or return the decision' }));
  }

  async recordWhoWasTold(): Promise<void> {
    await this.follow(this.page.getByRole('link', { name: 'Record who was told the outcome' }));
  }

  /** Loads the page again, as a worker does to see what others have done since. */
  async refresh(): Promise<void> {
    await this.journey.navigate(() => this.page.reload());
  }
}

/** "Ask an agency for information" about a contact's child. */
export class InformationRequestPage extends BasePage {
  static readonly heading = 'Ask an agency for information';

  /** Chooses the agency by its name as the list shows it, "Name (Sector)". */
  async send(agency: string, question: string): Promise<void> {
    const select = this.page.getByLabel('Agency');
    const options = await select.locator('option').allInnerTexts();
    const label = options.find((o) => o.trim().startsWith(`${agency} (`));
    if (!label) throw new Error(`No agency called ${agency} in the list`);
    await select.selectOption({ label: label.trim() });
    await this.page.getByLabel('What do you need to know?').fill(question);
    await this.submitWith(this.page.getByRole('button', { name: 'Send request' }));
  }
}

/** An agency's inbox: the front door's open requests for information to it. */
export class AgencyRequestsPage extends BasePage {
  static readonly heading = 'Requests for information to your agency';

  async hasRequestFor(number: string): Promise<boolean> {
    return (await this.rowFor(number).count()) > 0;
  }

  async open(number: string): Promise<void> {
    await this.follow(this.rowFor(number).getByRole('link'));
  }

  /** Each row names its contact under the child's name: "contact 42". */
  private rowFor(number: string) {
    return this.page.locator('main tbody tr', {
      has: this.page.locator('.govuk-hint', { hasText: new RegExp(`^contact ${number}$`) }),
    });
  }
}

/** "Answer the front door": one request, with what the agency needs to find the child. */
export class AnswerRequestPage extends BasePage {
  static readonly heading = 'Answer the front door';

  value(key: string): Promise<string> {
    return summaryValueOf(this.page, key);
  }

  async answer(text: string): Promise<void> {
    await this.page.getByLabel('What your agency knows').fill(text);
    await this.submitWith(this.page.getByRole('button', { name: 'Send answer' }));
  }
}

/** "Decide": the outcome, the level of need and the reason. */
export class DecisionPage extends BasePage {
  static readonly heading = 'Decide';

  async approvalNotice(): Promise<string> {
    return (await this.page.locator('.govuk-inset-text').innerText()).trim();
  }

  async decide(outcome: string, level: string, reason: string): Promise<void> {
    await this.page.getByRole('group', { name: 'Decision' }).getByLabel(outcome, { exact: true }).check();
    await this.page.getByRole('group', { name: 'Level of need' }).getByLabel(level, { exact: true }).check();
    await this.page.getByLabel('Reason for the decision').fill(reason);
    await this.submitWith(this.page.getByRole('button', { name: 'Record decision' }));
  }
}

/** A team manager's approval of a decision that needs one. */
export class ApprovalPage extends BasePage {
  static readonly heading = 'Approve or return the decision';

  value(key: string): Promise<string> {
    return summaryValueOf(this.page, key);
  }

  async approve(note = ''): Promise<void> {
    await this.page.getByLabel('Yes, approve it').check();
    if (note) await this.page.getByLabel('Note', { exact: true }).fill(note);
    await this.submitWith(this.page.getByRole('button', { name: 'Save' }));
  }
}

/** "Record who was told the outcome": telling the referrer lets them see it on their contact. */
export class FeedbackPage extends BasePage {
  static readonly heading = 'Record who was told the outcome';

  async record(
    told:
      'The referrer was told the outcome' | 'The family was told the outcome' | 'The family will not be told',
  ): Promise<void> {
    await this.page.getByLabel(told, { exact: true }).check();
    await this.submitWith(this.page.getByRole('button', { name: 'Save' }));
  }
}
