import { randomUUID } from 'node:crypto';
import { signIn } from '../bench/sign-in.ts';

/**
 * The writes the crash harness drives through HTTP, as the demo's people would make them, and the
 * ledger of those the server acknowledged. A write counts as acknowledged only when its answer
 * arrived: a 201 with the contact's id and number, or the form's 303 to the page it leads to.
 */

export type Ack =
  | { kind: 'contact'; key: string; id: string; number: string }
  | { kind: 'claim'; contactId: string; version: number }
  | { kind: 'priority'; contactId: string; version: number; priority: Priority }
  | { kind: 'goal'; planId: string; title: string }
  | { kind: 'goal-edit'; goalId: string; version: number; title: string }
  | { kind: 'signal'; personId: string; key: string };

type Priority = 'red' | 'amber' | 'green';
const PRIORITIES: Priority[] = ['red', 'amber', 'green'];

/** A contact sent through the API: the key and body, so it can be sent again exactly as it was. */
export type SentContact = { key: string; body: Record<string, unknown> };

/** What a round's writers work on, read from the database after the last restart. */
export type RoundWork = {
  /** Contacts the harness made that nobody has claimed yet. */
  unclaimed: { id: string; version: number }[];
  /** Contacts the front-door worker holds, with their current version. */
  held: { id: string; version: number }[];
  plans: string[];
  goals: { id: string; planId: string; version: number }[];
  /** Children the signal writer is involved with. */
  children: string[];
};

export type Writers = {
  appUrl: string;
  password: string;
  apiToken: string;
  frontDoorEmail: string;
  planEmail: string;
  signalEmail: string;
};

export class Ledger {
  readonly acks: Ack[] = [];
  /** Contacts sent whose answer never came: sent again after the restart. */
  readonly unanswered = new Map<string, SentContact>();
  /** Contacts answered, by key, to send again as a retry would. */
  readonly answered = new Map<string, SentContact>();
  private serial = 0;

  nextLabel(round: number) {
    this.serial += 1;
    return `r${round}-${this.serial}`;
  }
}

/** A signed-in browser: the session and CSRF cookies, and a form token to post with. */
export class Browser {
  private constructor(
    private readonly appUrl: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async signIn(appUrl: string, email: string, password: string): Promise<Browser> {
    const cookie = await signIn(appUrl, email, password);
    const page = await fetch(new URL('/contacts/new', appUrl), { headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!csrf) throw new Error(`No form token for ${email} (status ${page.status})`);
    return new Browser(appUrl, cookie, csrf);
  }

  /** Posts a form; answers the status and where it redirects to, if anywhere. */
  async post(
    path: string,
    form: Record<string, string>,
  ): Promise<{ status: number; location: string | null }> {
    const response = await fetch(new URL(path, this.appUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookie },
      body: new URLSearchParams({ ...form, _csrf: this.csrf }).toString(),
    });
    await response.arrayBuffer();
    return { status: response.status, location: response.headers.get('location') };
  }
}

/** Sends one contact through the JSON API with its idempotency key. */
export async function sendContact(appUrl: string, apiToken: string, sent: SentContact) {
  const response = await fetch(new URL('/api/contacts', appUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${apiToken}`,
      'idempotency-key': sent.key,
    },
    body: JSON.stringify(sent.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    body: response.ok ? (JSON.parse(text) as { id: string; number: string }) : null,
    text,
  };
}

function newContact(label: string): SentContact {
  return {
    key: randomUUID(),
    body: {
      child: { givenName: 'Crash', familyName: `Test ${label}`, dateOfBirth: '2015-06-01' },
      worries: `Harness contact ${label}: worries recorded to test durability.`,
      familyAware: true,
      consent: 'given',
      urgency: 'today',
      // A school's questions, which the teacher's contacts must answer.
      sectorAnswers: { attendance: 'not known', behaviour: 'not known' },
    },
  };
}

const todayBoxes = (prefix: string) => {
  const [year, month, day] = new Date().toISOString().slice(0, 10).split('-');
  return { [`${prefix}-day`]: day!, [`${prefix}-month`]: month!, [`${prefix}-year`]: year! };
};

const goalForm = (title: string) => ({
  personId: 'family',
  title,
  outcome: 'england:stay_safe',
  baseline: '3',
  ...todayBoxes('baselineOn'),
  target: '8',
  forFamily: 'yes',
});

export type Sessions = { frontDoor: Browser; planner: Browser; recorder: Browser };

/** The writers sign in through the form, as people do. */
export async function signInWriters({ appUrl, password, ...emails }: Writers): Promise<Sessions> {
  const [frontDoor, planner, recorder] = await Promise.all([
    Browser.signIn(appUrl, emails.frontDoorEmail, password),
    Browser.signIn(appUrl, emails.planEmail, password),
    Browser.signIn(appUrl, emails.signalEmail, password),
  ]);
  return { frontDoor, planner, recorder };
}

/**
 * Drives writes until the server stops answering (it was killed) or `stop` is set: contacts from a
 * school's system, claims and priorities by the front door, goals added and edited on plans,
 * signals about children. Each loop runs alone, so its writes to one record follow one another.
 */
export async function driveWrites(
  writers: Writers,
  { frontDoor, planner, recorder }: Sessions,
  work: RoundWork,
  ledger: Ledger,
  round: number,
  stop: { now: boolean },
): Promise<void> {
  const { appUrl } = writers;
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;

  const contacts = async () => {
    while (!stop.now) {
      const sent = newContact(ledger.nextLabel(round));
      ledger.unanswered.set(sent.key, sent);
      const answer = await sendContact(appUrl, writers.apiToken, sent);
      if (answer.status !== 201 || !answer.body)
        throw new Error(`POST /api/contacts: ${answer.status} ${answer.text}`);
      ledger.unanswered.delete(sent.key);
      ledger.answered.set(sent.key, sent);
      ledger.acks.push({ kind: 'contact', key: sent.key, ...answer.body });
    }
  };

  const triage = async () => {
    const expect303 = (path: string, answer: { status: number; location: string | null }, to: string) => {
      if (answer.status !== 303 || answer.location !== to)
        throw new Error(`POST ${path}: ${answer.status} to ${answer.location ?? 'nowhere'}`);
    };
    for (const contact of work.unclaimed.slice(0, 5)) {
      if (stop.now) return;
      const path = `/contacts/${contact.id}/claim`;
      expect303(
        path,
        await frontDoor.post(path, { version: String(contact.version) }),
        `/contacts/${contact.id}`,
      );
      ledger.acks.push({ kind: 'claim', contactId: contact.id, version: contact.version + 1 });
      work.held.push({ id: contact.id, version: contact.version + 1 });
    }
    while (!stop.now && work.held.length > 0) {
      const contact = pick(work.held);
      const priority = pick(PRIORITIES);
      const path = `/contacts/${contact.id}/priority`;
      expect303(
        path,
        await frontDoor.post(path, { version: String(contact.version), priority }),
        `/contacts/${contact.id}`,
      );
      contact.version += 1;
      ledger.acks.push({ kind: 'priority', contactId: contact.id, version: contact.version, priority });
    }
  };

  const plans = async () => {
    while (!stop.now) {
      const editable = work.goals.length > 0 && Math.random() < 0.5;
      const title = `Crash goal ${ledger.nextLabel(round)}`;
      if (editable) {
        const goal = pick(work.goals);
        const path = `/plans/${goal.planId}/goals/${goal.id}`;
        const answer = await planner.post(path, {
          ...goalForm(title),
          version: String(goal.version),
          status: 'active',
        });
        if (answer.status !== 303) throw new Error(`POST ${path}: ${answer.status}`);
        goal.version += 1;
        ledger.acks.push({ kind: 'goal-edit', goalId: goal.id, version: goal.version, title });
      } else {
        const planId = pick(work.plans);
        const path = `/plans/${planId}/goals/new`;
        const answer = await planner.post(path, goalForm(title));
        if (answer.status !== 303) throw new Error(`POST ${path}: ${answer.status}`);
        ledger.acks.push({ kind: 'goal', planId, title });
      }
    }
  };

  const signals = async () => {
    while (!stop.now) {
      const personId = pick(work.children);
      const key = randomUUID();
      const path = `/people/${personId}/signals/new`;
      const answer = await recorder.post(path, signalForm(key, ledger.nextLabel(round)));
      if (answer.status !== 303) throw new Error(`POST ${path}: ${answer.status}`);
      ledger.acks.push({ kind: 'signal', personId, key });
    }
  };

  // A loop ends when the server is killed under it (fetch fails, or the database is gone and the
  // answer is a 500): that is the point. Anything that goes wrong before the kill is a failure.
  const loops = [contacts, contacts, contacts, triage, plans, signals].map((loop) =>
    loop().catch((error: unknown) => {
      if (!stop.now) throw error;
    }),
  );
  await Promise.all(loops);
}

export function signalForm(idempotencyKey: string, label: string) {
  return {
    category: 'neglect',
    severity: 'low',
    description: `Harness signal ${label}`,
    idempotencyKey,
    ...todayBoxes('observed'),
  };
}

/** Sends an acknowledged signal's form again: the answer must be the redirect, and no second signal. */
export async function resendSignal(recorder: Browser, ack: Extract<Ack, { kind: 'signal' }>) {
  return recorder.post(`/people/${ack.personId}/signals/new`, signalForm(ack.key, 'resent'));
}
