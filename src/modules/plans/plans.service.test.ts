import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildTrustWorld, type World, type WorldUser } from '../../../test/helpers/trust-world.ts';
import { MergeConflict } from './plans.merge.ts';
import { PlanInput, PlanSettingsInput, type AllocationInput } from './plans.schemas.ts';

/** TEST_NOW is Monday 2 March 2026, 09:30 UTC. */
const TODAY = '2026-03-02';

describe('the family plan', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
  });
  afterAll(() => database.close());

  const db = () => database.db;
  const lead = () => w.users.socialWorker;

  let names = 0;
  /** A child of the world's partnership, with an allocated-worker involvement for each user given. */
  const newChild = async (involved: WorldUser[] = [lead()], familyName = 'Hughes') => {
    names += 1;
    const id = (
      await db()
        .insertInto('people')
        .values({
          partnershipId: w.partnershipId,
          kind: 'child',
          givenName: `Child${names}`,
          familyName,
          dateOfBirth: '2016-05-04',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const user of involved)
      await db()
        .insertInto('involvements')
        .values({
          partnershipId: w.partnershipId,
          personId: id,
          userId: user.id,
          kind: 'allocated_worker',
          purpose: 'safeguarding',
          reason: 'Test involvement',
          startedAt: new Date('2026-01-01T00:00:00Z'),
        })
        .execute();
    return id;
  };
  const siblings = (a: string, b: string) =>
    db()
      .insertInto('relationships')
      .values({ partnershipId: w.partnershipId, personId: a, relatedPersonId: b, kind: 'sibling' })
      .execute();

  const planInput = (childIds: string[], overrides: Partial<PlanInput> = {}): PlanInput => ({
    childIds,
    kind: 'early_help',
    familyName: 'Hughes family',
    worries: 'The children are often late and hungry at school.',
    strengths: 'Their grandmother lives nearby and helps.',
    leadUserId: lead().id,
    startedOn: '2026-02-23',
    ...overrides,
  });
  const start = async (childIds: string[], overrides: Partial<PlanInput> = {}, by = lead()) =>
    (await services.plans.start(by.ctx(), planInput(childIds, overrides))).id;

  const planRow = (id: string) =>
    db().selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const version = async (id: string) => (await planRow(id)).version;
  const count = async (table: 'plans' | 'planMembers' | 'planEvents' | 'planSettings') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', w.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (e: unknown) => e,
    );
  const fields = (e: unknown) => (e instanceof ValidationError ? e.fields.map((f) => f.field) : e);
  /** Whether the gate lets the user read the child's record now. */
  const canRead = (user: WorldUser, personId: string) =>
    services.gate
      .read(user.ctx(), personId, 'test.read', async () => ({ value: true }))
      .then(
        () => true,
        (e: unknown) => {
          if (e instanceof ForbiddenError) return false;
          throw e;
        },
      );
  const members = (planId: string) =>
    db()
      .selectFrom('planMembers')
      .selectAll()
      .where('planId', '=', planId)
      .where('leftAt', 'is', null)
      .orderBy('joinedAt')
      .execute();
  const overdueAction = (planId: string) =>
    db()
      .insertInto('planActions')
      .values({
        partnershipId: w.partnershipId,
        planId,
        description: 'Book the dentist',
        ownerKind: 'family',
        ownerFamilyMember: 'Mum',
        dueOn: '2026-02-27',
        createdAt: new Date(),
        createdBy: lead().id,
        updatedAt: new Date(),
        updatedBy: lead().id,
      })
      .execute();
  const lastAudit = (action: string) =>
    db()
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', action)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();

  describe('starting a plan', () => {
    it('starts one plan for a child and their sister, with the first stage, lead, team and review date', async () => {
      const [a, b] = [await newChild(), await newChild()];
      const planId = await start([a, b]);
      expect(await planRow(planId)).toMatchObject({
        kind: 'early_help',
        status: 'open',
        familyName: 'Hughes family',
        leadProfessionalId: lead().id,
        startedOn: '2026-02-23',
        // Early help by default every 8 weeks from the start.
        nextReviewDue: '2026-04-20',
        version: 1,
      });
      const children = await db()
        .selectFrom('planChildren')
        .selectAll()
        .where('planId', '=', planId)
        .execute();
      expect(children.map((c) => [c.personId, c.current, c.addedOn]).sort()).toEqual(
        [
          [a, true, '2026-02-23'],
          [b, true, '2026-02-23'],
        ].sort(),
      );
      const stages = await db().selectFrom('planStages').selectAll().where('planId', '=', planId).execute();
      expect(stages).toMatchObject([{ kind: 'early_help', startedOn: '2026-02-23', endedOn: null }]);
      const leads = await db().selectFrom('planLeads').selectAll().where('planId', '=', planId).execute();
      expect(leads).toMatchObject([{ userId: lead().id, endedAt: null, handoverNote: null }]);
      const [member] = await members(planId);
      expect(member).toMatchObject({
        userId: lead().id,
        role: 'Lead professional',
        organisationId: w.orgs.council,
      });
      const involvements = await db()
        .selectFrom('planMemberInvolvements as l')
        .innerJoin('involvements as i', 'i.id', 'l.involvementId')
        .select(['i.personId', 'i.kind', 'i.purpose', 'i.endedAt'])
        .where('l.memberId', '=', member!.id)
        .execute();
      expect(involvements.map((i) => [i.personId, i.kind, i.purpose, i.endedAt]).sort()).toEqual(
        [
          [a, 'team_around_family', 'early_help', null],
          [b, 'team_around_family', 'early_help', null],
        ].sort(),
      );
      const events = await db()
        .selectFrom('planEvents')
        .select('action')
        .where('planId', '=', planId)
        .execute();
      expect(events.map((e) => e.action)).toEqual(['start']);
      const audit = await lastAudit('plan.start');
      expect(audit.outcome).toBe('success');
      expect([...audit.personIds].sort()).toEqual([a, b].sort());
    });

    it('names another lead professional, who joins the team and can then read the children', async () => {
      const child = await newChild();
      expect(await canRead(w.users.uninvolved, child)).toBe(false);
      const planId = await start([child], { leadUserId: w.users.uninvolved.id, kind: 'child_protection' });
      expect(await planRow(planId)).toMatchObject({
        leadProfessionalId: w.users.uninvolved.id,
        // The first review conference within 3 months.
        nextReviewDue: '2026-05-23',
      });
      expect(await canRead(w.users.uninvolved, child)).toBe(true);
    });

    it('offers the child’s brothers and sisters, saying whom the practitioner may add and who is on a plan', async () => {
      const [a, b, c] = [await newChild(), await newChild(), await newChild([w.users.gp])];
      await siblings(a, b);
      await siblings(c, a);
      const onPlan = await start([b]);
      const form = await services.plans.startForm(lead().ctx(), a);
      expect(form.child.id).toBe(a);
      const related = new Map(form.related.map((r) => [r.id, r]));
      expect(related.get(b)).toMatchObject({
        canAdd: true,
        openPlan: { id: onPlan, familyName: 'Hughes family' },
      });
      expect(related.get(c)).toMatchObject({ canAdd: false, openPlan: null });
      expect(form.users.map((u) => u.id)).toContain(lead().id);
      expect(form.users.map((u) => u.id)).not.toContain(w.users.analyst.id);
    });

    it('refuses a start date in the future, no lead, an unknown user or an analyst as lead; nothing is written', async () => {
      const child = await newChild();
      const before = await count('plans');
      expect(
        fields(
          await error(services.plans.start(lead().ctx(), planInput([child], { startedOn: '2026-03-03' }))),
        ),
      ).toEqual(['started-day']);
      for (const leadUserId of [
        '7d7cbd3e-6b5e-4a9e-9a4e-1f0b7e1d2c3a',
        w.users.analyst.id,
        w.users.outsider.id,
      ])
        expect(
          fields(await error(services.plans.start(lead().ctx(), planInput([child], { leadUserId })))),
        ).toEqual(['leadUserId']);
      expect(await count('plans')).toBe(before);
    });

    it('asks for children, a lead professional, a family name, worries and a real start date', () => {
      const parsed = PlanInput.safeParse({
        kind: 'early_help',
        'started-day': '31',
        'started-month': '2',
        'started-year': '2026',
      });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(
        ['childIds', 'familyName', 'leadUserId', 'started-day', 'worries'].sort(),
      );
      const badDate = PlanInput.safeParse({
        childIds: w.child,
        kind: 'early_help',
        familyName: 'Okafor family',
        worries: 'Worried',
        leadUserId: lead().id,
        'started-day': '31',
        'started-month': '2',
        'started-year': '2026',
      });
      expect(badDate.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['started-day', 'The date the plan starts must be a real date'],
      ]);
    });

    it('refuses a child the practitioner is not involved with, an analyst, and another partnership’s practitioner', async () => {
      const mine = await newChild();
      const notMine = await newChild([w.users.gp]);
      const before = await count('plans');
      expect(await error(services.plans.start(lead().ctx(), planInput([mine, notMine])))).toBeInstanceOf(
        ForbiddenError,
      );
      expect((await lastAudit('plan.start')).outcome).toBe('denied');
      expect(await error(services.plans.start(w.users.analyst.ctx(), planInput([mine])))).toBeInstanceOf(
        ForbiddenError,
      );
      expect(
        await error(
          services.plans.start(
            w.users.outsider.ctx(),
            planInput([mine], { leadUserId: w.users.outsider.id }),
          ),
        ),
      ).toBeInstanceOf(NotFoundError);
      expect(await count('plans')).toBe(before);
    });

    it('refuses a child already on an open plan, naming the child and their plan', async () => {
      const child = await newChild();
      const planId = await start([child], { familyName: 'Ali family' });
      const { number } = await planRow(planId);
      const refused = await error(start([await newChild(), child]));
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).fields).toEqual([
        {
          field: 'childIds',
          message: `Child${names - 1} Hughes is already on an open plan, the Ali family plan (plan ${number}): a child can be on one open plan at a time`,
        },
      ]);
    });

    it('lets only one of two simultaneous starts put a child on a plan', async () => {
      const child = await newChild([lead(), w.users.teamMember]);
      const outcomes = await Promise.allSettled([
        start([child]),
        start([child], { leadUserId: w.users.teamMember.id }, w.users.teamMember),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const [lost] = outcomes.filter((o) => o.status === 'rejected');
      expect(lost!.reason).toBeInstanceOf(ValidationError);
      expect((lost!.reason as ValidationError).fields[0]!.message).toMatch(
        /is already on an open plan, the Hughes family plan/,
      );
      const open = await db()
        .selectFrom('planChildren')
        .select('planId')
        .where('personId', '=', child)
        .where('current', '=', true)
        .execute();
      expect(open).toHaveLength(1);
    });
  });

  describe('the plan page', () => {
    it('shows the children, team, stages, leads and whether the reader may change it', async () => {
      const child = await newChild([lead(), w.users.teacher]);
      const planId = await start([child], { startedOn: '2026-01-05' });
      const page = await services.plans.get(lead().ctx(), planId);
      expect(page.plan).toMatchObject({ id: planId, familyName: 'Hughes family' });
      expect(page.children).toMatchObject([{ id: child, age: 9, dateOfBirth: '2016-05-04' }]);
      expect(page.members).toMatchObject([
        {
          userId: lead().id,
          role: 'Lead professional',
          organisationName: 'Northbridge Council',
          seconded: false,
          commitment: 'part_time',
        },
      ]);
      expect(page.leads).toMatchObject([{ name: 'social.worker', handoverNote: null, endedAt: null }]);
      expect(page.stages).toMatchObject([{ kind: 'early_help', startedOn: '2026-01-05' }]);
      // Due 2 March (8 weeks on): due within the reminder window, today.
      expect(page.plan.nextReviewDue).toBe('2026-03-02');
      expect(page.reviewState).toBe('due_soon');
      expect(page.work).toMatchObject({ goals: [], actions: [] });
      expect({ canEdit: page.canEdit, canManage: page.canManage }).toEqual({
        canEdit: true,
        canManage: true,
      });
      // Involved with the child but not on the team: may read the plan, not change it.
      const teacher = await services.plans.get(w.users.teacher.ctx(), planId);
      expect({ canEdit: teacher.canEdit, canManage: teacher.canManage }).toEqual({
        canEdit: false,
        canManage: false,
      });
      const viewed = await lastAudit('plan.view');
      expect(viewed.personIds).toEqual([child]);
    });

    it('is closed to someone not involved, to an analyst, and does not exist for another partnership', async () => {
      const planId = await start([await newChild()]);
      expect(await error(services.plans.get(w.users.uninvolved.ctx(), planId))).toBeInstanceOf(
        ForbiddenError,
      );
      expect(await error(services.plans.get(w.users.analyst.ctx(), planId))).toBeInstanceOf(ForbiddenError);
      expect(await error(services.plans.get(w.users.outsider.ctx(), planId))).toBeInstanceOf(NotFoundError);
      expect((await lastAudit('plan.view')).outcome).toBe('denied');
    });

    it('reminds a person of reviews overdue or due soon on their plans, and of their own overdue actions', async () => {
      const teacher = w.users.teacher;
      const overdue = await start([await newChild()], { leadUserId: teacher.id, startedOn: '2025-12-01' });
      await start([await newChild()], { leadUserId: teacher.id, startedOn: '2026-01-05' });
      await db()
        .insertInto('planActions')
        .values({
          partnershipId: w.partnershipId,
          planId: overdue,
          description: 'Call the family',
          ownerKind: 'practitioner',
          ownerUserId: teacher.id,
          dueOn: '2026-02-27',
          createdAt: new Date(),
          createdBy: lead().id,
          updatedAt: new Date(),
          updatedBy: lead().id,
        })
        .execute();
      expect(await services.plans.reminders(teacher.ctx())).toEqual({
        overdueReviews: 1,
        reviewsDueSoon: 1,
        overdueActions: 1,
      });
      expect(await error(services.plans.reminders(w.users.analyst.ctx()))).toBeInstanceOf(ForbiddenError);
    });

    it('lists the plans a person works on, with overdue actions', async () => {
      const planId = await start([await newChild()], { familyName: 'Listed family' });
      await overdueAction(planId);
      const mine = await services.plans.mine(lead().ctx());
      expect(mine.find((p) => p.id === planId)).toMatchObject({
        familyName: 'Listed family',
        overdueActions: 1,
        leading: true,
        status: 'open',
      });
      expect(await services.plans.mine(w.users.charityWorker.ctx())).toEqual([]);
    });
  });

  describe('the summary, edited by two people at once', () => {
    it('offers the second saver what the first changed, keeps the plan as the first saved it, then takes the merge', async () => {
      const child = await newChild();
      const planId = await start([child]);
      await services.plans.addMember(lead().ctx(), planId, {
        version: 1,
        userId: w.users.teamMember.id,
        role: 'Family support worker',
        seconded: false,
        commitment: 'full_time',
      });
      const loaded = await version(planId);
      const original = await planRow(planId);
      await services.plans.editSummary(lead().ctx(), planId, {
        version: loaded,
        familyName: original.familyName,
        worries: 'Attendance has fallen to 70%.',
        strengths: original.strengths,
      });
      const second = await error(
        services.plans.editSummary(w.users.teamMember.ctx(), planId, {
          version: loaded,
          familyName: original.familyName,
          worries: original.worries,
          strengths: 'Mum has started a parenting course.',
        }),
      );
      expect(second).toBeInstanceOf(MergeConflict);
      expect(second).toBeInstanceOf(ConflictError);
      const merge = second as MergeConflict;
      expect(merge.version).toBe(loaded + 1);
      expect(merge.changes.map(({ field, saved, savedBy }) => ({ field, saved, savedBy }))).toEqual([
        { field: 'worries', saved: 'Attendance has fallen to 70%.', savedBy: 'social.worker' },
      ]);
      expect(merge.changes[0]!.savedAt).toBeInstanceOf(Date);
      expect(await planRow(planId)).toMatchObject({
        worries: 'Attendance has fallen to 70%.',
        strengths: original.strengths,
      });
      await services.plans.editSummary(w.users.teamMember.ctx(), planId, {
        version: merge.version,
        familyName: original.familyName,
        worries: 'Attendance has fallen to 70%, and the children are hungry.',
        strengths: 'Mum has started a parenting course.',
      });
      expect(await planRow(planId)).toMatchObject({
        worries: 'Attendance has fallen to 70%, and the children are hungry.',
        strengths: 'Mum has started a parenting course.',
        version: loaded + 2,
      });
      const audit = await lastAudit('plan.summary');
      expect(audit.detail).toMatchObject({ fields: ['worries', 'strengths'] });
    });

    it('saves over a newer version when nothing in the summary changed since', async () => {
      const planId = await start([await newChild()]);
      const loaded = await version(planId);
      await services.plans.addMember(lead().ctx(), planId, {
        version: loaded,
        userId: w.users.teamMember.id,
        role: 'Youth worker',
        seconded: true,
        commitment: 'part_time',
      });
      await services.plans.editSummary(lead().ctx(), planId, {
        version: loaded,
        familyName: 'Hughes-Brown family',
        worries: 'Worried',
        strengths: '',
      });
      expect(await planRow(planId)).toMatchObject({ familyName: 'Hughes-Brown family', version: loaded + 2 });
    });

    it('lets the team edit the summary, but not someone merely involved with the child', async () => {
      const child = await newChild([lead(), w.users.teacher]);
      const planId = await start([child]);
      const refused = await error(
        services.plans.editSummary(w.users.teacher.ctx(), planId, {
          version: 1,
          familyName: 'X',
          worries: 'Y',
          strengths: '',
        }),
      );
      expect(refused).toBeInstanceOf(ForbiddenError);
      expect((await lastAudit('plan.summary')).outcome).toBe('denied');
      expect(await version(planId)).toBe(1);
    });
  });

  describe('the team around the family', () => {
    it('gives a new member access to every child while they serve, and takes it away when they leave', async () => {
      const [a, b] = [await newChild(), await newChild()];
      const planId = await start([a, b]);
      const member = w.users.uninvolved;
      expect(await canRead(member, a)).toBe(false);
      await services.plans.addMember(lead().ctx(), planId, {
        version: 1,
        userId: member.id,
        role: 'School nurse',
        seconded: true,
        commitment: 'part_time',
      });
      expect(await canRead(member, a)).toBe(true);
      expect(await canRead(member, b)).toBe(true);
      const row = (await members(planId)).find((m) => m.userId === member.id)!;
      expect(row).toMatchObject({
        role: 'School nurse',
        seconded: true,
        commitment: 'part_time',
        organisationId: w.orgs.council,
      });
      await services.plans.removeMember(lead().ctx(), planId, row.id, {
        version: 2,
        reason: 'Moved to another school',
      });
      expect(await canRead(member, a)).toBe(false);
      expect(await canRead(member, b)).toBe(false);
      const left = await db()
        .selectFrom('planMembers')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      expect(left.leftReason).toBe('Moved to another school');
    });

    it('refuses someone already on the team, the lead leaving, a stale version and a team member managing the team', async () => {
      const planId = await start([await newChild()]);
      await services.plans.addMember(lead().ctx(), planId, {
        version: 1,
        userId: w.users.teamMember.id,
        role: 'Youth worker',
        seconded: false,
        commitment: 'part_time',
      });
      const again = await error(
        services.plans.addMember(lead().ctx(), planId, {
          version: 2,
          userId: w.users.teamMember.id,
          role: 'Youth worker',
          seconded: false,
          commitment: 'part_time',
        }),
      );
      expect((again as ValidationError).fields).toEqual([
        { field: 'userId', message: 'team.member is already on the team' },
      ]);
      const leadMember = (await members(planId)).find((m) => m.userId === lead().id)!;
      const leaving = await error(
        services.plans.removeMember(lead().ctx(), planId, leadMember.id, { version: 2, reason: 'Leaving' }),
      );
      expect(leaving).toBeInstanceOf(ConflictError);
      expect((leaving as Error).message).toMatch(/hand the plan over/);
      expect(
        await error(
          services.plans.addMember(lead().ctx(), planId, {
            version: 1,
            userId: w.users.gp.id,
            role: 'GP',
            seconded: false,
            commitment: 'part_time',
          }),
        ),
      ).toBeInstanceOf(ConflictError);
      expect(
        await error(
          services.plans.addMember(w.users.teamMember.ctx(), planId, {
            version: 2,
            userId: w.users.gp.id,
            role: 'GP',
            seconded: false,
            commitment: 'part_time',
          }),
        ),
      ).toBeInstanceOf(ForbiddenError);
      expect(
        fields(
          await error(
            services.plans.addMember(lead().ctx(), planId, {
              version: 2,
              userId: w.users.analyst.id,
              role: 'Analyst',
              seconded: false,
              commitment: 'part_time',
            }),
          ),
        ),
      ).toEqual(['userId']);
      expect(await members(planId)).toHaveLength(2);
    });
  });

  describe('handing over the lead professional', () => {
    it('hands over with a note: the new lead joins the team, the old one stays unless they leave', async () => {
      const child = await newChild();
      const planId = await start([child]);
      const next = w.users.housingOfficer;
      await services.plans.handOver(lead().ctx(), planId, {
        version: 1,
        leadUserId: next.id,
        note: 'Mum prefers texts.',
        outgoing: 'stay',
        outgoingRole: 'Social worker',
      });
      expect((await planRow(planId)).leadProfessionalId).toBe(next.id);
      const leads = await db()
        .selectFrom('planLeads')
        .selectAll()
        .where('planId', '=', planId)
        .orderBy('startedAt')
        .orderBy('endedAt')
        .execute();
      expect(leads.map((l) => [l.userId, l.endedAt !== null, l.handoverNote])).toEqual(
        expect.arrayContaining([
          [lead().id, true, null],
          [next.id, false, 'Mum prefers texts.'],
        ]),
      );
      const team = await members(planId);
      expect(team.map((m) => [m.userId, m.role]).sort()).toEqual(
        [
          [lead().id, 'Social worker'],
          [next.id, 'Lead professional'],
        ].sort(),
      );
      // Only one lead at a time, and never the same one again.
      expect(
        fields(
          await error(
            services.plans.handOver(next.ctx(), planId, {
              version: 2,
              leadUserId: next.id,
              note: 'x',
              outgoing: 'stay',
            }),
          ),
        ),
      ).toEqual(['leadUserId']);
      // The old lead is no longer a steward: they cannot hand over.
      expect(
        await error(
          services.plans.handOver(lead().ctx(), planId, {
            version: 2,
            leadUserId: lead().id,
            note: 'x',
            outgoing: 'stay',
          }),
        ),
      ).toBeInstanceOf(ForbiddenError);
      await services.plans.handOver(next.ctx(), planId, {
        version: 2,
        leadUserId: w.users.teamMember.id,
        note: 'Over to you.',
        outgoing: 'leave',
      });
      expect((await members(planId)).map((m) => m.userId).sort()).toEqual(
        [lead().id, w.users.teamMember.id].sort(),
      );
      expect(await canRead(next, child)).toBe(false);
      const current = await db()
        .selectFrom('planLeads')
        .select('userId')
        .where('planId', '=', planId)
        .where('endedAt', 'is', null)
        .execute();
      expect(current).toEqual([{ userId: w.users.teamMember.id }]);
    });
  });

  describe('the children on the plan', () => {
    it('adds a brother with access for the team, and removes him again, ending it', async () => {
      const [a, b] = [await newChild(), await newChild()];
      const planId = await start([a]);
      await services.plans.addMember(lead().ctx(), planId, {
        version: 1,
        userId: w.users.uninvolved.id,
        role: 'Youth worker',
        seconded: false,
        commitment: 'part_time',
      });
      await siblings(a, b);
      const options = await services.plans.childOptions(lead().ctx(), planId);
      expect(options.related).toMatchObject([{ id: b, canAdd: true, openPlan: null }]);
      await services.plans.addChild(lead().ctx(), planId, { version: 2, childId: b });
      expect(await canRead(w.users.uninvolved, b)).toBe(true);
      expect(
        fields(await error(services.plans.removeChild(lead().ctx(), planId, b, { version: 2, reason: 'x' }))),
      ).toBeInstanceOf(ConflictError);
      await services.plans.removeChild(lead().ctx(), planId, b, {
        version: 3,
        reason: 'Moved to live with his father',
      });
      expect(await canRead(w.users.uninvolved, b)).toBe(false);
      expect(await canRead(w.users.uninvolved, a)).toBe(true);
      const last = await error(
        services.plans.removeChild(lead().ctx(), planId, a, { version: 4, reason: 'x' }),
      );
      expect((last as Error).message).toMatch(/only child on the plan: close the plan instead/);
      // He may join another plan now.
      expect(await start([b], { familyName: 'Father’s family' })).toBeTruthy();
    });

    it('refuses a child on another open plan, and a child the lead is not involved with', async () => {
      const [a, b, c] = [await newChild(), await newChild(), await newChild([w.users.gp])];
      const planId = await start([a]);
      const other = await start([b], { familyName: 'Other family' });
      const onOther = await error(services.plans.addChild(lead().ctx(), planId, { version: 1, childId: b }));
      expect((onOther as ValidationError).fields[0]!.message).toMatch(
        /already on an open plan, the Other family plan/,
      );
      expect(
        await error(services.plans.addChild(lead().ctx(), planId, { version: 1, childId: c })),
      ).toBeInstanceOf(ForbiddenError);
      expect(await version(planId)).toBe(1);
      expect(await version(other)).toBe(1);
    });
  });

  describe('stepping up and down', () => {
    it('steps up to child protection from a date: the stage changes, the review clock restarts, the team’s purpose becomes safeguarding', async () => {
      const child = await newChild();
      const planId = await start([child], { startedOn: '2026-01-05' });
      await services.plans.changeStage(lead().ctx(), planId, {
        version: 1,
        kind: 'child_protection',
        reason: 'Initial conference decided a plan',
        startedOn: '2026-02-27',
      });
      expect(await planRow(planId)).toMatchObject({ kind: 'child_protection', nextReviewDue: '2026-05-27' });
      const stages = await db()
        .selectFrom('planStages')
        .selectAll()
        .where('planId', '=', planId)
        .orderBy('startedOn')
        .execute();
      expect(stages.map((s) => [s.kind, s.startedOn, s.endedOn])).toEqual([
        ['early_help', '2026-01-05', '2026-02-27'],
        ['child_protection', '2026-02-27', null],
      ]);
      const open = await db()
        .selectFrom('planMemberInvolvements as l')
        .innerJoin('involvements as i', 'i.id', 'l.involvementId')
        .select(['i.purpose'])
        .where('i.personId', '=', child)
        .where('i.endedAt', 'is', null)
        .execute();
      expect(open).toEqual([{ purpose: 'safeguarding' }]);
      const event = await db()
        .selectFrom('planEvents')
        .selectAll()
        .where('planId', '=', planId)
        .where('action', '=', 'change-kind')
        .executeTakeFirstOrThrow();
      expect(event.detail).toMatchObject({
        from: 'early_help',
        to: 'child_protection',
        direction: 'up',
        version: 2,
      });
    });

    it('refuses the same kind, a date in the future and a date before the stage began', async () => {
      const planId = await start([await newChild()], { startedOn: '2026-02-02' });
      const step = (kind: 'early_help' | 'child_in_need', startedOn: string) =>
        error(
          services.plans.changeStage(lead().ctx(), planId, { version: 1, kind, reason: 'Review', startedOn }),
        );
      expect(fields(await step('early_help', '2026-02-27'))).toEqual(['kind']);
      expect(fields(await step('child_in_need', '2026-03-03'))).toEqual(['stage-day']);
      expect(fields(await step('child_in_need', '2026-02-01'))).toEqual(['stage-day']);
      expect(await version(planId)).toBe(1);
    });
  });

  describe('closing', () => {
    it('closes the plan: the team’s access ends, the children are free, nothing more can change', async () => {
      const child = await newChild();
      const planId = await start([child]);
      await services.plans.addMember(lead().ctx(), planId, {
        version: 1,
        userId: w.users.uninvolved.id,
        role: 'Youth worker',
        seconded: false,
        commitment: 'part_time',
      });
      expect(
        fields(
          await error(
            services.plans.close(lead().ctx(), planId, { version: 2, reason: 'x', closedOn: '2026-02-01' }),
          ),
        ),
      ).toEqual(['closed-day']);
      await services.plans.close(lead().ctx(), planId, { version: 2, reason: 'Goals met', closedOn: TODAY });
      expect(await planRow(planId)).toMatchObject({
        status: 'closed',
        closedOn: TODAY,
        closeReason: 'Goals met',
      });
      expect(await canRead(w.users.uninvolved, child)).toBe(false);
      expect(await members(planId)).toEqual([]);
      const again = await error(
        services.plans.editSummary(lead().ctx(), planId, {
          version: 3,
          familyName: 'x',
          worries: 'y',
          strengths: '',
        }),
      );
      expect((again as Error).message).toMatch(/closed/);
      // The lead's own allocated-worker involvement still lets them start a new plan for the child.
      expect(await start([child])).toBeTruthy();
    });
  });

  describe('allocation from the front door', () => {
    const newEpisode = async (
      personId: string,
      kind: 'early_help' | 'statutory_assessment' | 'strategy_discussion',
    ) => {
      const contact = await db()
        .insertInto('contacts')
        .values({
          partnershipId: w.partnershipId,
          receivedAt: new Date('2026-02-20T10:00:00Z'),
          recordedAt: new Date('2026-02-20T10:00:00Z'),
          dueAt: new Date('2026-02-23T10:00:00Z'),
          channel: 'phone',
          source: '2A',
          personId,
          worries: 'Worried about the children',
          familyAware: true,
          consent: 'given',
          urgency: 'standard',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return (
        await db()
          .insertInto('episodes')
          .values({
            partnershipId: w.partnershipId,
            personId,
            contactId: contact.id,
            kind,
            openedAt: new Date('2026-02-23T12:00:00Z'),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    };
    const allocation = (childIds: string[], overrides: Partial<AllocationInput> = {}): AllocationInput => ({
      ...planInput(childIds, { kind: 'child_in_need', startedOn: TODAY }),
      version: 1,
      ...overrides,
    });

    it('shows the manager what waits, and lets them start the plan with a lead though they are not involved', async () => {
      const [child, sister] = [await newChild([]), await newChild([])];
      await siblings(child, sister);
      const episodeId = await newEpisode(child, 'statutory_assessment');
      const manager = w.users.manager;
      const queue = await services.plans.allocation(manager.ctx());
      expect(queue.episodes.find((e) => e.id === episodeId)).toMatchObject({
        personId: child,
        kind: 'statutory_assessment',
        waitingDays: 7,
      });
      const form = await services.plans.allocationForm(manager.ctx(), episodeId);
      expect(form).toMatchObject({
        proposedKind: 'child_in_need',
        child: { id: child },
        related: [{ id: sister, canAdd: true }],
      });
      const { id: planId } = await services.plans.allocate(manager.ctx(), episodeId, allocation([sister]));
      expect(await planRow(planId)).toMatchObject({
        episodeId,
        kind: 'child_in_need',
        leadProfessionalId: lead().id,
      });
      const episode = await db()
        .selectFrom('episodes')
        .selectAll()
        .where('id', '=', episodeId)
        .executeTakeFirstOrThrow();
      expect(episode).toMatchObject({ status: 'open', leadProfessionalId: lead().id });
      expect(await canRead(lead(), sister)).toBe(true);
      expect(await canRead(manager, child)).toBe(false);
      const audit = await lastAudit('plan.allocate');
      expect(audit).toMatchObject({
        outcome: 'success',
        subjectId: planId,
        basis: { kind: 'permission', permission: 'plans.allocate' },
      });
      expect([...audit.personIds].sort()).toEqual([child, sister].sort());
      const again = await error(services.plans.allocate(manager.ctx(), episodeId, allocation([])));
      expect((again as Error).message).toBe('This episode has already been allocated');
      expect((await services.plans.allocation(manager.ctx())).episodes.map((e) => e.id)).not.toContain(
        episodeId,
      );
      // Closing the plan closes the episode.
      await services.plans.close(lead().ctx(), planId, {
        version: 1,
        reason: 'Assessment found no further need',
        closedOn: TODAY,
      });
      expect(
        (
          await db()
            .selectFrom('episodes')
            .select('status')
            .where('id', '=', episodeId)
            .executeTakeFirstOrThrow()
        ).status,
      ).toBe('closed');
    });

    it('is for managers only, and a sealed child stays hidden from a manager not named on the record', async () => {
      const episodeId = await newEpisode(w.child, 'early_help');
      expect(await error(services.plans.allocation(lead().ctx()))).toBeInstanceOf(ForbiddenError);
      expect(await error(services.plans.allocate(lead().ctx(), episodeId, allocation([])))).toBeInstanceOf(
        ForbiddenError,
      );
      const sealed = await newEpisode(w.sealedChild, 'strategy_discussion');
      expect(
        (await services.plans.allocation(w.users.manager.ctx())).episodes.map((e) => e.id),
      ).not.toContain(sealed);
      expect(
        await error(services.plans.allocate(w.users.manager.ctx(), sealed, allocation([]))),
      ).toBeInstanceOf(NotFoundError);
    });

    it('lists plans whose review is due or overdue, and those with overdue actions', async () => {
      const planId = await start([await newChild()], {
        startedOn: '2025-12-01',
        familyName: 'Overdue family',
      });
      await overdueAction(planId);
      const queue = await services.plans.allocation(w.users.manager.ctx());
      expect(queue.overdueActions.find((p) => p.id === planId)).toMatchObject({
        familyName: 'Overdue family',
        overdueActions: 1,
        oldestDueOn: '2026-02-27',
      });
      expect(queue.reviews.find((r) => r.id === planId)).toMatchObject({
        nextReviewDue: '2026-01-26',
        reviewState: 'overdue',
      });
    });
  });

  describe('settings', () => {
    it('lets a manager set the review intervals, which new plans then follow; the first save creates the row', async () => {
      const before = await services.plans.settings(w.users.manager.ctx());
      expect(before).toMatchObject({ earlyHelpReviewWeeks: 8, reminderDays: 7, version: 1 });
      expect(await count('planSettings')).toBe(0);
      await services.plans.updateSettings(w.users.admin.ctx(), {
        version: 1,
        earlyHelpReviewWeeks: 6,
        childInNeedReviewWeeks: 10,
        reminderDays: 14,
      });
      expect(
        await error(
          services.plans.updateSettings(w.users.manager.ctx(), {
            version: 1,
            earlyHelpReviewWeeks: 12,
            childInNeedReviewWeeks: 10,
            reminderDays: 14,
          }),
        ),
      ).toBeInstanceOf(ConflictError);
      expect(
        await error(
          services.plans.updateSettings(lead().ctx(), {
            version: 2,
            earlyHelpReviewWeeks: 12,
            childInNeedReviewWeeks: 10,
            reminderDays: 14,
          }),
        ),
      ).toBeInstanceOf(ForbiddenError);
      const planId = await start([await newChild()], { startedOn: '2026-03-02' });
      expect((await planRow(planId)).nextReviewDue).toBe('2026-04-13');
      await services.plans.updateSettings(w.users.manager.ctx(), {
        version: 2,
        earlyHelpReviewWeeks: 8,
        childInNeedReviewWeeks: 8,
        reminderDays: 7,
      });
      expect(await services.plans.settings(w.users.manager.ctx())).toMatchObject({
        earlyHelpReviewWeeks: 8,
        version: 3,
      });
    });

    it('refuses intervals out of range', () => {
      const parsed = PlanSettingsInput.safeParse({
        version: '1',
        earlyHelpReviewWeeks: '5',
        childInNeedReviewWeeks: '27',
        reminderDays: 'soon',
      });
      expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual([
        'earlyHelpReviewWeeks',
        'childInNeedReviewWeeks',
        'reminderDays',
      ]);
    });
  });
});
