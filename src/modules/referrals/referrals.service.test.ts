import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Actor, Role } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { buildCtx, TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';
import { ContactInput, DecisionInput } from './referrals.schemas.ts';

/** TEST_NOW is Monday 2 March 2026, 09:30 UTC (GMT): one working day on is Tuesday 09:30. */
const HOUR = 3_600_000;

describe('the front door', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;
  let worker: { id: string; actor: Actor };
  let colleague: { id: string; actor: Actor };
  let otherManager: { id: string; actor: Actor };

  const ctxOf = (actor: Actor, now = TEST_NOW) => buildCtx(actor, { now });
  const addUser = async (email: string, organisationId: string, roles: Role[]) => {
    const row = await database.db
      .insertInto('users')
      .values({
        partnershipId: w.partnershipId,
        email,
        displayName: email.split('@')[0]!,
        organisationId,
        roles,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      id: row.id,
      actor: {
        userId: row.id,
        partnershipId: w.partnershipId,
        organisationId,
        roles,
        displayName: email.split('@')[0]!,
      },
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
    worker = await addUser('priya@world.example', w.orgs.council, ['front_door']);
    colleague = await addUser('sam@world.example', w.orgs.council, ['front_door']);
    otherManager = await addUser('jo@world.example', w.orgs.council, ['team_manager']);
  });
  afterAll(() => database.close());

  const teacherContact = (overrides: Partial<z.input<typeof ContactInput>> = {}): ContactInput =>
    ContactInput.parse({
      channel: 'email',
      child: { givenName: 'Ella', familyName: 'Brook', dateOfBirth: '2016-04-01', postcode: 'NB1 2AA' },
      worries: 'Ella has come to school hungry every day this week and has bruises on her arms.',
      familyAware: false,
      consent: 'not_sought',
      consentReason: 'Telling the family may put Ella at risk',
      urgency: 'today',
      sectorAnswers: { attendance: '82%, falling', behaviour: 'Withdrawn since half term' },
      ...overrides,
    });
  const contactCount = async () =>
    Number(
      (
        await database.db
          .selectFrom('contacts')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', w.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const contactRow = (id: string) =>
    database.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditActions = async (subjectId: string) =>
    (
      await database.db
        .selectFrom('auditEvents')
        .select(['action', 'outcome'])
        .where('subjectId', '=', subjectId)
        .orderBy('seq')
        .execute()
    ).map((e) => `${e.action}:${e.outcome}`);
  const newContact = async (overrides: Partial<z.input<typeof ContactInput>> = {}) =>
    (await services.frontDoor.create(w.users.teacher.ctx(), teacherContact(overrides))).id;
  const version = async (id: string) => (await contactRow(id)).version;
  const claimed = async (overrides: Partial<z.input<typeof ContactInput>> = {}) => {
    const id = await newContact(overrides);
    await services.frontDoor.claim(ctxOf(worker.actor), id, 1);
    return id;
  };

  describe('recording a contact', () => {
    it('records a school’s contact, due one working day on, counted under schools, with history and audit', async () => {
      const { id, replayed } = await services.frontDoor.create(w.users.teacher.ctx(), teacherContact());
      expect(replayed).toBe(false);
      const row = await contactRow(id);
      expect(row).toMatchObject({ status: 'new', source: '2A', channel: 'email', childFamilyName: 'Brook' });
      expect(row.dueAt.toISOString()).toBe('2026-03-03T09:30:00.000Z');
      expect(row.referrerUserId).toBe(w.users.teacher.id);
      const events = await database.db
        .selectFrom('contactEvents')
        .select('action')
        .where('contactId', '=', id)
        .execute();
      expect(events.map((e) => e.action)).toEqual(['create']);
      expect(await auditActions(id)).toEqual(['contact.create:success']);
    });

    it('skips the weekend and bank holidays in the deadline', async () => {
      // Good Friday (3 April) and Easter Monday (6 April) do not count; 15:00 BST is 14:00 UTC.
      const thursday = new Date('2026-04-02T14:00:00Z');
      const { id } = await services.frontDoor.create(w.users.teacher.ctx(thursday), teacherContact());
      expect((await contactRow(id)).dueAt.toISOString()).toBe('2026-04-07T14:00:00.000Z');
    });

    it('asks a school for attendance and behaviour, and writes nothing until they are given', async () => {
      const before = await contactCount();
      const error = await services.frontDoor
        .create(w.users.teacher.ctx(), teacherContact({ sectorAnswers: {} }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields.map((f) => f.field)).toEqual([
        'sectorAnswers.attendance',
        'sectorAnswers.behaviour',
      ]);
      expect(await contactCount()).toBe(before);
    });

    it('refuses a contact received in the future, and a date of birth in the future', async () => {
      const before = await contactCount();
      const error = await services.frontDoor
        .create(
          w.users.teacher.ctx(),
          teacherContact({
            receivedAt: new Date(TEST_NOW.getTime() + HOUR).toISOString(),
            child: { familyName: 'Brook', dateOfBirth: '2027-01-01' },
          }),
        )
        .catch((e: unknown) => e);
      expect((error as ValidationError).fields.map((f) => f.field)).toEqual([
        'receivedAt',
        'child.dateOfBirth',
      ]);
      expect(await contactCount()).toBe(before);
    });

    it('needs enough about an unknown child to act on, and a reason when the family is not asked', () => {
      const parsed = ContactInput.safeParse({
        channel: 'phone',
        child: { givenName: 'Ella' },
        worries: 'Worried',
        familyAware: false,
        consent: 'refused',
        urgency: 'standard',
      });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual([
        'child.familyName',
        'consentReason',
      ]);
      const described = ContactInput.safeParse({
        channel: 'phone',
        child: { description: 'A boy of about eight, often alone at the park', postcode: 'NB1 2AA' },
        worries: 'Worried',
        familyAware: false,
        consent: 'given',
        urgency: 'standard',
      });
      expect(described.success).toBe(true);
    });

    it('lets a practitioner name an index child only if they are involved with them', async () => {
      const error = await services.frontDoor
        .create(w.users.uninvolved.ctx(), teacherContact({ child: { personId: w.child }, sectorAnswers: {} }))
        .catch((e: unknown) => e);
      expect((error as ValidationError).fields.map((f) => f.field)).toEqual(['child.personId']);
      const { id } = await services.frontDoor.create(
        w.users.socialWorker.ctx(),
        teacherContact({ child: { personId: w.child }, sectorAnswers: {} }),
      );
      expect((await contactRow(id)).personId).toBe(w.child);
    });

    it('takes a contact from the public, describing the child but never naming an index child', async () => {
      const publicCtx = buildCtx({ system: 'public contact form', partnershipId: w.partnershipId });
      const named = await services.frontDoor
        .create(publicCtx, teacherContact({ child: { personId: w.child }, sectorAnswers: {} }))
        .catch((e: unknown) => e);
      expect((named as ValidationError).fields.map((f) => f.field)).toEqual(['child.personId']);
      const { id } = await services.frontDoor.create(
        publicCtx,
        teacherContact({ channel: 'online_form', sectorAnswers: {}, referrer: { role: 'Neighbour' } }),
      );
      expect(await contactRow(id)).toMatchObject({
        referrerUserId: null,
        referrerRole: 'Neighbour',
        source: '10',
      });
    });

    it('makes one contact however often the same submission arrives, and refuses the key for another', async () => {
      const before = await contactCount();
      const key = 'form-4b1f9a2c-double-click';
      const first = await services.frontDoor.create(w.users.teacher.ctx(), teacherContact(), {
        idempotencyKey: key,
      });
      const again = await services.frontDoor.create(w.users.teacher.ctx(), teacherContact(), {
        idempotencyKey: key,
      });
      expect(again).toEqual({ ...first, replayed: true });
      const other = await services.frontDoor
        .create(w.users.teacher.ctx(), teacherContact({ urgency: 'standard' }), { idempotencyKey: key })
        .catch((e: unknown) => e);
      expect(other).toBeInstanceOf(ConflictError);
      expect(await contactCount()).toBe(before + 1);
    });

    it('is not for analysts, and says so in the audit trail', async () => {
      await expect(services.frontDoor.create(w.users.analyst.ctx(), teacherContact())).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      const denied = await database.db
        .selectFrom('auditEvents')
        .select('outcome')
        .where('action', '=', 'contact.create')
        .where('actorUserId', '=', w.users.analyst.id)
        .executeTakeFirstOrThrow();
      expect(denied.outcome).toBe('denied');
    });
  });

  describe('triage', () => {
    it('lets one worker claim a contact; a second is told who has it', async () => {
      const id = await newContact();
      await services.frontDoor.claim(ctxOf(worker.actor), id, 1);
      const error = await services.frontDoor.claim(ctxOf(colleague.actor), id, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe('priya has already claimed this contact');
      expect(await contactRow(id)).toMatchObject({ status: 'in_triage', claimedBy: worker.id });
    });

    it('keeps the holder’s actions to the holder, and refuses a stale version', async () => {
      const id = await claimed();
      await expect(services.frontDoor.prioritise(ctxOf(colleague.actor), id, 2, 'red')).rejects.toThrow(
        'priya has claimed this contact: only they can set its priority',
      );
      await expect(services.frontDoor.prioritise(ctxOf(worker.actor), id, 1, 'red')).rejects.toThrow(
        'Someone else changed this contact',
      );
      await services.frontDoor.prioritise(ctxOf(worker.actor), id, 2, 'red');
      expect((await contactRow(id)).priority).toBe('red');
    });

    it('refuses an action the status does not allow, naming the ones it does', async () => {
      const id = await newContact();
      const error = (await services.frontDoor
        .decide(ctxOf(worker.actor), id, {
          version: 1,
          outcome: 'no_further_action',
          levelOfNeed: 'universal',
          reason: 'x',
        })
        .catch((e: unknown) => e)) as ConflictError;
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.allowed).toEqual(['claim', 'note']);
    });

    it('asks an agency for information due by the priority, which only that agency sees and answers', async () => {
      const id = await claimed();
      const ask = (v: number) =>
        services.frontDoor.requestInformation(ctxOf(worker.actor), id, {
          version: v,
          organisationId: w.orgs.gp,
          question: 'Is Ella registered, and any missed appointments?',
        });
      await expect(ask(2)).rejects.toBeInstanceOf(ValidationError);
      await services.frontDoor.prioritise(ctxOf(worker.actor), id, 2, 'red');
      await ask(3);
      const [request] = await services.agencyRequests.open(w.users.gp.ctx());
      expect(request!.dueAt.toISOString()).toBe(new Date(TEST_NOW.getTime() + 4 * HOUR).toISOString());
      expect(await services.agencyRequests.open(w.users.teacher.ctx())).toEqual([]);
      await expect(services.agencyRequests.get(w.users.teacher.ctx(), request!.id)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await services.agencyRequests.answer(w.users.gp.ctx(), request!.id, {
        version: 1,
        answer: 'Registered; 3 missed.',
      });
      await expect(
        services.agencyRequests.answer(w.users.gp.ctx(), request!.id, { version: 2, answer: 'Again' }),
      ).rejects.toBeInstanceOf(ConflictError);
      const view = await services.frontDoor.get(ctxOf(worker.actor), id);
      expect(view.full && view.requests[0]!.answer).toBe('Registered; 3 missed.');
      expect(view.full && view.events.map((e) => e.action)).toContain('information_received');
    });

    it('refuses to ask an agency outside the partnership, and writes nothing', async () => {
      const id = await claimed();
      await services.frontDoor.prioritise(ctxOf(worker.actor), id, 2, 'green');
      await expect(
        services.frontDoor.requestInformation(ctxOf(worker.actor), id, {
          version: 3,
          organisationId: w.orgs.elsewhere,
          question: 'Anything?',
        }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(await version(id)).toBe(3);
    });
  });

  describe('decisions', () => {
    it('holds no further action for a second person’s approval, then it takes effect', async () => {
      const id = await claimed();
      const waits = await services.frontDoor.decide(ctxOf(worker.actor), id, {
        version: 2,
        outcome: 'no_further_action',
        levelOfNeed: 'universal',
        reason: 'The school has since spoken with the family; needs are met.',
      });
      expect(waits).toBe(true);
      expect((await contactRow(id)).status).toBe('awaiting_approval');
      await expect(
        services.frontDoor.approve(ctxOf(worker.actor), id, { version: 3, approval: 'approve' }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await services.frontDoor.approve(ctxOf(otherManager.actor), id, { version: 3, approval: 'approve' });
      const row = await contactRow(id);
      expect(row).toMatchObject({
        status: 'decided',
        approvedBy: otherManager.id,
        outcome: 'no_further_action',
      });
      expect(row.finalAt).not.toBeNull();
      const second = (await services.frontDoor
        .decide(ctxOf(worker.actor), id, {
          version: 4,
          outcome: 'early_help',
          levelOfNeed: 'additional',
          reason: 'x',
        })
        .catch((e: unknown) => e)) as ConflictError;
      expect(second).toBeInstanceOf(ConflictError);
      expect(second.allowed).toEqual(['record_feedback', 'note']);
    });

    it('returns a decision to the worker with the manager’s note', async () => {
      const id = await claimed();
      await services.frontDoor.decide(ctxOf(worker.actor), id, {
        version: 2,
        outcome: 'no_further_action',
        levelOfNeed: 'additional',
        reason: 'No role for the front door',
      });
      await services.frontDoor.approve(ctxOf(otherManager.actor), id, {
        version: 3,
        approval: 'return',
        note: 'Ask the GP first',
      });
      expect(await contactRow(id)).toMatchObject({
        status: 'in_triage',
        outcome: null,
        claimedBy: worker.id,
      });
    });

    it('needs the child in the index before early help, then opens it with triage access ended', async () => {
      const id = await claimed();
      const decide = (v: number) =>
        services.frontDoor.decide(ctxOf(worker.actor), id, {
          version: v,
          outcome: 'early_help',
          levelOfNeed: 'additional',
          reason: 'Family would benefit from parenting support',
        });
      const error = (await decide(2).catch((e: unknown) => e)) as ValidationError;
      expect(error.fields[0]!.field).toBe('outcome');
      await services.frontDoor.match(ctxOf(worker.actor), id, 2, { newPerson: true });
      const matched = await contactRow(id);
      expect(matched.personId).not.toBeNull();
      expect(await services.gate.basisFor(ctxOf(worker.actor), matched.personId!)).toMatchObject({
        kind: 'involvement',
      });
      expect(await decide(3)).toBe(false);
      const episode = await database.db
        .selectFrom('episodes')
        .selectAll()
        .where('contactId', '=', id)
        .executeTakeFirstOrThrow();
      expect(episode).toMatchObject({
        kind: 'early_help',
        status: 'awaiting_allocation',
        personId: matched.personId,
      });
      expect(await services.gate.basisFor(ctxOf(worker.actor), matched.personId!)).toBeNull();
    });

    it('refuses a level of need that does not fit the decision', () => {
      const parsed = DecisionInput.safeParse({
        version: 1,
        outcome: 'strategy_discussion',
        levelOfNeed: 'universal',
        reason: 'Risk of harm',
      });
      expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        [
          'levelOfNeed',
          'This decision fits a level of need of acute or protection: change the decision or the level',
        ],
      ]);
    });

    it('shows the holder of a matched contact who else works with the child, through the gate', async () => {
      const id = await claimed({
        child: { givenName: 'Maya', familyName: 'Okafor', dateOfBirth: '2016-05-04' },
      });
      await services.frontDoor.match(ctxOf(worker.actor), id, 2, { personId: w.child });
      const view = await services.frontDoor.get(ctxOf(worker.actor), id);
      expect(view.full && view.involvements?.map((i) => i.userName ?? i.teamName)).toContain('social.worker');
      const looked = await database.db
        .selectFrom('auditEvents')
        .select('basis')
        .where('action', '=', 'contact.child-involvements')
        .where('actorUserId', '=', worker.id)
        .executeTakeFirstOrThrow();
      expect(looked.basis).toMatchObject({ kind: 'involvement' });
      const other = await services.frontDoor.get(ctxOf(colleague.actor), id);
      expect(other.full && other.involvements).toBeNull();
    });

    it('counts a second referral of the child within 12 months as a re-referral, with a 45-day assessment clock', async () => {
      const assess = async () => {
        const id = await claimed({
          child: { personId: undefined, givenName: 'Maya', familyName: 'Okafor', dateOfBirth: '2016-05-04' },
        });
        await services.frontDoor.match(ctxOf(worker.actor), id, 2, { personId: w.child });
        await services.frontDoor.decide(ctxOf(worker.actor), id, {
          version: 3,
          outcome: 'statutory_assessment',
          levelOfNeed: 'complex',
          reason: 'Needs a child and family assessment',
        });
        return id;
      };
      const first = await assess();
      const second = await assess();
      expect((await contactRow(first)).reReferral).toBe(false);
      expect((await contactRow(second)).reReferral).toBe(true);
      const episode = await database.db
        .selectFrom('episodes')
        .select('dueOn')
        .where('contactId', '=', second)
        .executeTakeFirstOrThrow();
      expect(episode.dueOn).toBe('2026-05-07');
    });

    it('shows the referrer where their contact stands, and the outcome only once they have been told', async () => {
      const id = await claimed();
      await services.frontDoor.match(ctxOf(worker.actor), id, 2, { newPerson: true });
      await services.frontDoor.decide(ctxOf(worker.actor), id, {
        version: 3,
        outcome: 'early_help',
        levelOfNeed: 'complex',
        reason: 'Family support',
      });
      const before = await services.frontDoor.get(w.users.teacher.ctx(), id);
      expect(before).toMatchObject({ full: false, outcomeShown: false });
      await services.frontDoor.recordFeedback(ctxOf(worker.actor), id, { version: 4, told: 'referrer' });
      expect(await services.frontDoor.get(w.users.teacher.ctx(), id)).toMatchObject({
        full: false,
        outcomeShown: true,
      });
      await expect(services.frontDoor.get(w.users.gp.ctx(), id)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('the queue', () => {
    it('lists open contacts soonest due first and counts breaches as time passes', async () => {
      const later = new Date(TEST_NOW.getTime() + 30 * HOUR);
      const queue = await services.frontDoor.queue(ctxOf(worker.actor, later), {});
      expect(queue.counts.open).toBeGreaterThan(0);
      expect(queue.counts.breached).toBeGreaterThan(0);
      expect(queue.counts.breached).toBeLessThan(queue.counts.open);
      const due = queue.contacts.map((c) => c.dueAt.getTime());
      expect(due).toEqual([...due].sort((a, b) => a - b));
      expect(queue.contacts[0]!.timeliness).toBe('breached');
      const mine = await services.frontDoor.queue(ctxOf(worker.actor, later), { view: 'mine' });
      expect(mine.contacts.every((c) => c.claimedByName === 'priya')).toBe(true);
      await expect(services.frontDoor.queue(w.users.teacher.ctx(), {})).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });
});
