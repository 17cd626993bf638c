import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../src/common/errors.ts';
import { referralsSchemas } from '../src/modules/referrals/index.ts';
import type { Ctx } from '../src/common/context.ts';
import { buildActor, buildCtx, buildSystemActor } from './helpers/context.ts';
import { insertPlan } from './helpers/plan-work-fixture.ts';
import { createTestApp, errorSummary, type Agent, type TestApp, type TestUser } from './helpers/web.ts';

/**
 * Two and ten people editing one contact and one plan at the same moment, through the real app (and
 * the service layer for plan actions). For every version exactly one edit wins; every other gets the
 * conflict answer; what is stored is the winner's edit; and an edit answered as saved is in the
 * history and the audit trail while one answered with a conflict is not. Losers then reload and try
 * again until everyone's edit is in, one per version: nothing is lost on the way.
 */

const MOST_EDITORS = 10;

let t: TestApp;
let editors: { user: TestUser; agent: Agent }[];
let planId: string;

beforeAll(async () => {
  t = await createTestApp();
  const users = await Promise.all(
    Array.from({ length: MOST_EDITORS }, (_, i) =>
      t.createUser(`editor.${i}@example.org`, ['practitioner', 'front_door']),
    ),
  );
  editors = await Promise.all(
    users.map(async (user) => {
      const agent = t.agent();
      await agent.signIn(user.email);
      return { user, agent };
    }),
  );
  ({ planId } = await insertPlan(t.database.db, {
    partnershipId: t.partnershipId,
    leadId: users[0]!.id,
    team: users.slice(1).map((u) => u.id),
  }));
}, 60_000);
afterAll(() => t.close());

const ctxOf = (user: TestUser): Ctx =>
  buildCtx(
    buildActor(t.partnershipId, {
      userId: user.id,
      organisationId: t.organisationId,
      roles: ['practitioner', 'front_door'],
    }),
  );

/** Each editor's form token, fetched before the race so that the posts go out together. */
const tokensFor = (agents: Agent[], page: string) => Promise.all(agents.map((a) => a.csrfToken(page)));

/** The version the page shows: a conflict answer carries the record's version as it now is. */
const versionOn = (page: LightMyRequestResponse) =>
  Number(/name="version" value="(\d+)"/.exec(page.body)?.[1]);

async function newContact(): Promise<string> {
  const input = referralsSchemas.ContactInput.parse({
    child: { givenName: 'Noor', familyName: `Race ${randomUUID().slice(0, 8)}`, dateOfBirth: '2015-09-09' },
    worries: 'Noor has told a teacher she is afraid of an adult at home.',
    familyAware: false,
    consent: 'not_sought',
    consentReason: 'Telling the family could put Noor at risk',
    urgency: 'today',
    channel: 'phone',
  });
  return (await t.services.frontDoor.create(buildCtx(buildSystemActor(t.partnershipId)), input)).id;
}

const contactNow = (id: string) =>
  t.database.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function historyCount(table: 'contactEvents' | 'planEvents', action: string, subject: string) {
  const column = table === 'contactEvents' ? 'contactId' : 'planId';
  const rows = await t.database.db
    .selectFrom(table)
    .select('detail')
    .where(column, '=', subject)
    .where('action', '=', action)
    .execute();
  return rows;
}

/** Successful audit events of one action about one subject (a contact), or naming one goal. */
async function auditCount(action: string, match: { subjectId?: string; goalId?: string }) {
  const rows = await t.database.db
    .selectFrom('auditEvents')
    .select(['subjectId', 'detail'])
    .where('partnershipId', '=', t.partnershipId)
    .where('action', '=', action)
    .where('outcome', '=', 'success')
    .execute();
  return rows.filter((r) =>
    match.subjectId ? r.subjectId === match.subjectId : r.detail.goalId === match.goalId,
  ).length;
}

/** One answer must be the form's redirect and the rest conflicts naming why; answers the winner. */
function oneWinner(answers: LightMyRequestResponse[], conflict: RegExp): number {
  const winners = answers.flatMap((a, i) => (a.statusCode === 303 ? [i] : []));
  expect(winners, answers.map((a) => a.statusCode).join(' ')).toHaveLength(1);
  for (const [i, answer] of answers.entries()) {
    if (i === winners[0]) continue;
    expect(answer.statusCode).toBe(409);
    expect(errorSummary(answer.body)[0]).toMatch(conflict);
  }
  return winners[0]!;
}

describe.each([2, MOST_EDITORS])('%i people at once', (n) => {
  const team = () => editors.slice(0, n);

  it('claim one new contact: one holds it, the others are told who does', async () => {
    const contactId = await newContact();
    const page = `/contacts/${contactId}`;
    const tokens = await tokensFor(
      team().map((e) => e.agent),
      page,
    );
    const answers = await Promise.all(
      team().map(({ agent }, i) => agent.post(`${page}/claim`, { version: '1', _csrf: tokens[i]! })),
    );
    const winner = oneWinner(answers, /has already claimed this contact|Someone else changed this contact/);
    const stored = await contactNow(contactId);
    expect(stored).toMatchObject({ status: 'in_triage', claimedBy: team()[winner]!.user.id, version: 2 });
    expect(await historyCount('contactEvents', 'claim', contactId)).toHaveLength(1);
    expect(await auditCount('contact.claim', { subjectId: contactId })).toBe(1);
  });

  it('set the priority of one contact from every tab of its holder: one per version, none lost', async () => {
    const contactId = await newContact();
    const holder = editors[0]!.agent;
    await t.services.frontDoor.claim(ctxOf(editors[0]!.user), contactId, 1);
    const page = `/contacts/${contactId}`;
    const token = await holder.csrfToken(page);
    const priorities = Array.from({ length: n }, (_, i) => (['red', 'amber', 'green'] as const)[i % 3]!);
    let waiting = priorities.map((priority, tab) => ({ tab, priority, version: 2 }));
    const savedInOrder: number[] = [];
    while (waiting.length > 0) {
      const answers = await Promise.all(
        waiting.map((w) =>
          holder.post(`${page}/priority`, { version: String(w.version), priority: w.priority, _csrf: token }),
        ),
      );
      const winner = waiting[oneWinner(answers, /Someone else changed this contact/)]!;
      savedInOrder.push(winner.tab);
      const stored = await contactNow(contactId);
      expect(stored.priority).toBe(winner.priority);
      expect(stored.version).toBe(winner.version + 1);
      waiting = waiting.flatMap((w, i) => (w === winner ? [] : [{ ...w, version: versionOn(answers[i]!) }]));
    }
    expect(new Set(savedInOrder).size).toBe(n);
    expect(await historyCount('contactEvents', 'prioritise', contactId)).toHaveLength(n);
    expect(await auditCount('contact.prioritise', { subjectId: contactId })).toBe(n);
  });

  it('edit one goal of the plan: one per version wins, losers keep their words beside the winner’s and try again', async () => {
    const goalForm = (title: string) => ({
      personId: 'family',
      title,
      outcome: 'england:stay_safe',
      baseline: '3',
      'baselineOn-day': '5',
      'baselineOn-month': '1',
      'baselineOn-year': '2026',
      target: '8',
      forFamily: 'yes',
    });
    const startTitle = `Calmer mornings ${randomUUID().slice(0, 8)}`;
    expect(
      (await editors[0]!.agent.post(`/plans/${planId}/goals/new`, goalForm(startTitle))).statusCode,
    ).toBe(303);
    const goal = await t.database.db
      .selectFrom('planGoals')
      .select('id')
      .where('title', '=', startTitle)
      .executeTakeFirstOrThrow();
    const url = `/plans/${planId}/goals/${goal.id}`;
    const tokens = await tokensFor(
      team().map((e) => e.agent),
      url,
    );
    let waiting = team().map((e, i) => ({
      i,
      agent: e.agent,
      title: `${startTitle} by editor ${i}`,
      version: 1,
    }));
    while (waiting.length > 0) {
      const answers = await Promise.all(
        waiting.map((w) =>
          w.agent.post(url, {
            ...goalForm(w.title),
            status: 'active',
            version: String(w.version),
            _csrf: tokens[w.i]!,
          }),
        ),
      );
      const winner = waiting[oneWinner(answers, /Someone else changed this goal/)]!;
      const stored = await t.database.db
        .selectFrom('planGoals')
        .select(['title', 'version'])
        .where('id', '=', goal.id)
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ title: winner.title, version: winner.version + 1 });
      waiting.forEach((w, k) => {
        if (w === winner) return;
        expect(answers[k]!.body).toContain(`>${w.title}</textarea>`);
        expect(answers[k]!.body).toContain(`Saved now:</span> ${winner.title}`);
      });
      waiting = waiting.flatMap((w, k) => (w === winner ? [] : [{ ...w, version: versionOn(answers[k]!) }]));
    }
    const changes = (await historyCount('planEvents', 'change_goal', planId)).filter(
      (e) => e.detail.goalId === goal.id,
    );
    expect(changes).toHaveLength(n);
    expect(await auditCount('plan.goal.change', { goalId: goal.id })).toBe(n);
  });

  it('change one action of the plan through the service: one per version, losers get ConflictError', async () => {
    const lead = ctxOf(editors[0]!.user);
    const action = (description: string) => ({
      description,
      goalId: null,
      ownerKind: 'practitioner' as const,
      ownerUserId: editors[0]!.user.id,
      ownerOrganisationId: null,
      ownerFamilyMember: null,
      dueOn: '2026-03-20',
      forFamily: true,
    });
    const actionId = await t.services.planWork.addAction(lead, planId, action('Book a home visit'));
    const outcomes = await Promise.allSettled(
      team().map((e, i) =>
        t.services.planWork.updateAction(ctxOf(e.user), planId, actionId, {
          ...action(`Home visit booked by editor ${i}`),
          version: 1,
          status: 'in_progress',
        }),
      ),
    );
    const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConflictError);
    const stored = await t.database.db
      .selectFrom('planActions')
      .select(['description', 'version'])
      .where('id', '=', actionId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ description: `Home visit booked by editor ${won[0]}`, version: 2 });
    const changes = (await historyCount('planEvents', 'change_action', planId)).filter(
      (e) => e.detail.actionId === actionId,
    );
    expect(changes).toHaveLength(1);
  });

  it('send one contact with one idempotency key at once: one contact, every answer names it', async () => {
    const { token } = await t.services.apiTokens.issue(
      buildCtx(buildSystemActor(t.partnershipId)),
      editors[0]!.user.id,
      { name: `Race system ${n}` },
    );
    const key = randomUUID();
    const familyName = `Double ${randomUUID().slice(0, 8)}`;
    const answers = await Promise.all(
      Array.from({ length: n }, () =>
        t.app.inject({
          method: 'POST',
          url: '/api/contacts',
          headers: {
            authorization: `Bearer ${token}`,
            'idempotency-key': key,
            'content-type': 'application/json',
          },
          payload: {
            child: { givenName: 'Ola', familyName, dateOfBirth: '2014-02-02' },
            worries: 'Ola has not been seen at school for three weeks and nobody answers the door.',
            familyAware: true,
            consent: 'given',
            urgency: 'today',
          },
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, ...Array<number>(n - 1).fill(200)].sort());
    const ids = new Set(answers.map((a) => a.json<{ id: string }>().id));
    expect(ids.size).toBe(1);
    const stored = await t.database.db
      .selectFrom('contacts')
      .select('id')
      .where('childFamilyName', '=', familyName)
      .execute();
    expect(stored.map((c) => c.id)).toEqual([...ids]);
  });
});
