import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildTrustWorld, type World, type WorldUser } from '../../../test/helpers/trust-world.ts';
import type { FinishInput } from './assessments.schemas.ts';

/**
 * The integrated assessment on a trust world: Maya (born 4 May 2016, so 9 on TEST_NOW) has a social
 * worker (social care), a teacher (education), a GP (health), a housing officer and a charity worker
 * involved; a colleague who is not involved; an analyst; and a practitioner in another partnership.
 */
describe('the integrated assessment', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;

  const later = (minutes: number) => new Date(TEST_NOW.getTime() + minutes * 60_000);
  const count = async (
    table: 'assessments' | 'assessmentSections' | 'assessmentContributions' | 'contacts',
  ) =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('partnershipId', '=', w.partnershipId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const written = async () =>
    Promise.all([
      count('assessments'),
      count('assessmentSections'),
      count('assessmentContributions'),
      count('contacts'),
    ]);
  const assessmentRow = (id: string) =>
    database.db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const audits = async (actorId: string, action: string) =>
    (
      await database.db
        .selectFrom('auditEvents')
        .select(['outcome', 'subjectId', 'detail'])
        .where('actorUserId', '=', actorId)
        .where('action', '=', action)
        .orderBy('seq')
        .execute()
    ).map((e) => ({
      outcome: e.outcome,
      subjectId: e.subjectId,
      detail: e.detail,
    }));
  const start = async (by: WorldUser = w.users.socialWorker, templateId = 'early-help-5-9') =>
    (await services.assessments.start(by.ctx(), { personId: w.child, templateId, templateVersion: 1 })).id;
  // Each save a minute after the last, so the history's order is the order of the saves.
  let minutes = 0;
  const save = (
    by: WorldUser,
    id: string,
    section: string,
    answers: Record<string, unknown>,
    version = 0,
    reason?: string,
  ) =>
    services.assessments.saveSection(by.ctx(later(++minutes)), id, section, {
      version,
      answers,
      notRecordedReason: reason,
    });
  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  const fields = (e: unknown) => (e as ValidationError).fields.map((f) => f.field);

  /** Every required section of the 5-9 template filled in, each by an agency that may. */
  const RESOURCES = Object.fromEntries(
    [
      'money-housing',
      'health',
      'network',
      'skills',
      'trust',
      'shared-resources',
      'reciprocity',
      'engagement',
    ].map((k) => [k, 3]),
  );
  const complete = async (id: string) => {
    await save(w.users.gp, id, 'health', {
      'registered-gp': 'yes',
      immunisations: 'yes',
      'health-needs': 'Asthma, well managed with an inhaler',
    });
    await save(w.users.teacher, id, 'education', { school: 'Elm Park School', attendance: '80-90' });
    await save(w.users.charityWorker, id, 'friendships', {
      friendships: 'Two close friends in class',
      feelings: 'Worried about her mum',
    });
    await save(w.users.socialWorker, id, 'parenting-capacity', {
      'basic-care': 'Good most of the time',
      safety: 'Mum keeps Maya safe',
      overall: 3,
    });
    await save(w.users.housingOfficer, id, 'family-environment', {
      'family-history': 'Parents separated last year',
      housing: 'at-risk',
    });
    await save(w.users.socialWorker, id, 'family-resources', RESOURCES);
    await save(w.users.socialWorker, id, 'childs-words', { words: '“I want mum to be happy again.”' });
    await save(w.users.socialWorker, id, 'parents-views', {}, 0, 'Mum was in hospital during the assessment');
    await save(w.users.socialWorker, id, 'analysis', {
      strengths: 'A loving relationship with mum',
      worries: 'Mum’s mental health and the risk of losing the home',
      done: 'School counselling since January',
      'level-of-need': 'additional',
      needs: 'Help with housing and with mum’s health',
    });
  };
  const version = async (id: string) => (await assessmentRow(id)).version;
  const finish = async (by: WorldUser, id: string, input: Partial<FinishInput> = {}) =>
    services.assessments.finish(by.ctx(later(++minutes)), id, {
      version: await version(id),
      outcome: 'no_further_action',
      outcomeReason: 'Needs can be met by universal services',
      familySummary: 'Maya is doing well at school and loves her mum.',
      ...input,
    });
  const REFERRAL = {
    outcome: 'referral_onward' as const,
    outcomeReason: 'Housing and mental health needs need a plan with several agencies',
    urgency: 'standard' as const,
    familyAware: true,
    consent: 'given' as const,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
  });
  afterAll(() => database.close());

  describe('starting', () => {
    it('suggests the version for the child’s age and the partnership’s jurisdiction, and lists the others', async () => {
      const options = await services.assessments.startOptions(w.users.socialWorker.ctx(), w.child);
      expect(options.ageBand).toBe('5-9');
      expect(options.recommended?.id).toBe('early-help-5-9');
      expect(options.templates[0]?.id).toBe('early-help-5-9');
      expect(options.templates).toHaveLength(6);
      await database.db
        .updateTable('partnerships')
        .set({ jurisdiction: 'scotland' })
        .where('id', '=', w.partnershipId)
        .execute();
      try {
        const scottish = await services.assessments.startOptions(w.users.socialWorker.ctx(), w.child);
        expect(scottish.recommended?.id).toBe('my-world-triangle');
      } finally {
        await database.db
          .updateTable('partnerships')
          .set({ jurisdiction: 'england' })
          .where('id', '=', w.partnershipId)
          .execute();
      }
    });

    it('suggests the unborn version for a baby not yet born, from the expected date', async () => {
      const baby = (
        await database.db
          .insertInto('people')
          .values({
            partnershipId: w.partnershipId,
            kind: 'unborn',
            familyName: 'Okafor',
            expectedDate: '2026-07-01',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      await database.db
        .insertInto('involvements')
        .values({
          partnershipId: w.partnershipId,
          personId: baby,
          userId: w.users.gp.id,
          kind: 'gp_practice',
          purpose: 'early_help',
          reason: 'Midwife referral',
          startedAt: later(-60),
        })
        .execute();
      const options = await services.assessments.startOptions(w.users.gp.ctx(), baby);
      expect(options.recommended?.id).toBe('early-help-unborn');
    });

    it('starts on a template version it keeps, and audits it on the child', async () => {
      const id = await start();
      expect(await assessmentRow(id)).toMatchObject({
        personId: w.child,
        templateId: 'early-help-5-9',
        templateVersion: 1,
        status: 'draft',
        startedBy: w.users.socialWorker.id,
      });
      const [event] = await audits(w.users.socialWorker.id, 'assessment.start');
      expect(event).toMatchObject({ outcome: 'success', subjectId: w.child, detail: { assessmentId: id } });
    });

    it('refuses an unknown template or version, and a plan the child is not on, writing nothing', async () => {
      const before = await written();
      const unknown = await error(
        services.assessments.start(w.users.socialWorker.ctx(), {
          personId: w.child,
          templateId: 'early-help-5-9',
          templateVersion: 7,
        }),
      );
      expect(unknown).toBeInstanceOf(ValidationError);
      expect((unknown as ValidationError).fields).toEqual([
        {
          field: 'template',
          message: 'There is no assessment template “early-help-5-9” version 7: choose one from the list',
        },
      ]);
      const plan = await error(
        services.assessments.start(w.users.socialWorker.ctx(), {
          personId: w.child,
          templateId: 'nope',
          templateVersion: 1,
          planId: '00000000-0000-4000-8000-000000000000',
        }),
      );
      expect(fields(plan)).toEqual(['template', 'planId']);
      expect(await written()).toEqual(before);
    });

    it('is closed to a practitioner not involved, an analyst and another partnership, and audits the refusal', async () => {
      await expect(start(w.users.uninvolved)).rejects.toBeInstanceOf(ForbiddenError);
      expect(await audits(w.users.uninvolved.id, 'assessment.start')).toEqual([
        expect.objectContaining({ outcome: 'denied', subjectId: w.child }),
      ]);
      await expect(start(w.users.analyst)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(start(w.users.outsider)).rejects.toBeInstanceOf(NotFoundError);
      const id = await start();
      await expect(services.assessments.overview(w.users.uninvolved.ctx(), id)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(services.assessments.overview(w.users.outsider.ctx(), id)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(services.assessments.overview(w.users.analyst.ctx(), id)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });

  describe('contributing', () => {
    it('takes sections from several agencies, each save attributed to the person and their agency', async () => {
      const id = await start();
      await save(w.users.teacher, id, 'education', { school: 'Elm Park School', attendance: 'below-80' });
      await save(w.users.gp, id, 'health', { 'registered-gp': 'yes', immunisations: 'some-missed' });
      const contributions = await database.db
        .selectFrom('assessmentContributions')
        .select(['sectionId', 'userId', 'organisationId', 'answers'])
        .where('assessmentId', '=', id)
        .orderBy('sectionId')
        .execute();
      expect(contributions).toEqual([
        {
          sectionId: 'education',
          userId: w.users.teacher.id,
          organisationId: w.orgs.school,
          answers: { school: 'Elm Park School', attendance: 'below-80' },
        },
        {
          sectionId: 'health',
          userId: w.users.gp.id,
          organisationId: w.orgs.gp,
          answers: { 'registered-gp': 'yes', immunisations: 'some-missed' },
        },
      ]);
      const overview = await services.assessments.overview(w.users.socialWorker.ctx(), id);
      const education = overview.sections.find((s) => s.id === 'education')!;
      expect(education.status).toBe('complete');
      expect(overview.sections.find((s) => s.id === 'health')?.status).toBe('in_progress');
      expect(education.contributors).toEqual([
        expect.objectContaining({ userName: 'teacher', organisationName: 'Elm Park School' }),
      ]);
      expect(overview.sections.find((s) => s.id === 'childs-words')?.status).toBe('not_started');
      expect(await audits(w.users.teacher.id, 'assessment.section.save')).toContainEqual(
        expect.objectContaining({
          outcome: 'success',
          subjectId: w.child,
          detail: expect.objectContaining({ assessmentId: id, sectionId: 'education' }) as unknown,
        }),
      );
    });

    it('refuses a practitioner from a sector the section does not take, with a plain message, and audits it', async () => {
      const id = await start();
      const before = await written();
      const refused = await error(save(w.users.teacher, id, 'health', { 'registered-gp': 'yes' }));
      expect(refused).toBeInstanceOf(ForbiddenError);
      expect((refused as Error).message).toBe(
        'Only practitioners from health or social care can fill in “Health”. You can read it, and add what you know to the other sections.',
      );
      expect(await written()).toEqual(before);
      expect(await audits(w.users.teacher.id, 'assessment.section.save')).toContainEqual(
        expect.objectContaining({ outcome: 'denied', subjectId: w.child }),
      );
      const page = await services.assessments.section(w.users.teacher.ctx(), id, 'health');
      expect(page.mayContribute).toBe(false);
    });

    it('checks every answer’s type and range even in a draft, naming each field, and writes nothing', async () => {
      const id = await start();
      const before = await written();
      const wrong = await error(
        save(w.users.housingOfficer, id, 'family-environment', {
          'family-history': 42,
          housing: 'castle',
          'adult-issues': ['none', 'dragons'],
          household: [
            { name: 'Ada', born: { day: '31', month: '2', year: '2019' } },
            { relationship: 'Brother' },
            {},
          ],
          pets: 'two cats',
        }),
      );
      expect(wrong).toBeInstanceOf(ValidationError);
      expect((wrong as ValidationError).fields).toEqual([
        { field: 'pets', message: 'This section has no question called “pets”' },
        {
          field: 'household_0_born',
          message: 'Who lives in the home, row 1: date of birth must be a real date',
        },
        { field: 'household_1_name', message: 'Who lives in the home, row 2: enter name' },
        { field: 'family-history', message: 'Family history and how the family gets on must be text' },
        { field: 'housing', message: 'Housing: choose one of the options given' },
        {
          field: 'adult-issues',
          message:
            'Do any adults in the home have difficulties that affect the child?: choose one of the options given',
        },
      ]);
      const scale = await error(save(w.users.socialWorker, id, 'parenting-capacity', { overall: 9 }));
      expect((scale as ValidationError).fields).toEqual([
        {
          field: 'overall',
          message:
            'Overall, how well are the child’s needs being met by their parents or carers?: choose a number from 1 to 5',
        },
      ]);
      const notANumber = await error(
        save(w.users.socialWorker, id, 'parenting-capacity', { overall: 'lots' }),
      );
      expect(fields(notANumber)).toEqual(['overall']);
      const dates = await error(
        save(w.users.gp, id, 'health', {
          'appointments-missed': [{ on: { day: '3', month: '', year: '2026' }, service: 'Dentist' }],
        }),
      );
      expect((dates as ValidationError).fields).toEqual([
        {
          field: 'appointments-missed_0_on',
          message:
            'Health appointments the child was not brought to in the last year, row 1: date must include a month',
        },
      ]);
      const reason = await error(save(w.users.socialWorker, id, 'analysis', {}, 0, 'Could not meet'));
      expect(fields(reason)).toEqual(['notRecordedReason']);
      expect(await written()).toEqual(before);
    });

    it('keeps a draft incomplete until the required questions are answered, and takes a reason for the child’s words', async () => {
      const id = await start();
      expect((await save(w.users.socialWorker, id, 'childs-words', { 'going-well': 'School' })).status).toBe(
        'in_progress',
      );
      const reasoned = await save(
        w.users.socialWorker,
        id,
        'childs-words',
        {},
        1,
        'Maya did not want to talk today',
      );
      expect(reasoned.status).toBe('not_recorded');
      const done = await save(w.users.socialWorker, id, 'childs-words', { words: '“It’s OK at home.”' }, 2);
      expect(done.status).toBe('complete');
      const section = await services.assessments.section(w.users.socialWorker.ctx(), id, 'childs-words');
      expect(section.saved?.shown).toEqual([
        {
          id: 'words',
          label: 'What the child said, in their own words',
          type: 'text',
          lines: ['“It’s OK at home.”'],
        },
      ]);
    });

    it('refuses a save over a version someone else has moved on, naming them, and keeps theirs', async () => {
      const id = await start();
      await save(w.users.socialWorker, id, 'analysis', { strengths: 'Mine' });
      const second = await error(save(w.users.charityWorker, id, 'analysis', { strengths: 'Theirs' }));
      expect(second).toBeInstanceOf(ConflictError);
      expect((second as Error).message).toMatch(
        /^social\.worker \(Northbridge Council\) saved this section while you were working on it/,
      );
      const stale = await error(save(w.users.charityWorker, id, 'analysis', { strengths: 'Theirs' }, 7));
      expect(stale).toBeInstanceOf(ConflictError);
      const section = await services.assessments.section(w.users.socialWorker.ctx(), id, 'analysis');
      expect(section.saved?.answers).toEqual({ strengths: 'Mine' });
      await save(w.users.charityWorker, id, 'analysis', { strengths: 'Both' }, 1);
      const history = await services.assessments.history(w.users.socialWorker.ctx(), id);
      expect(history.entries.map((e) => [e.userName, e.organisationName, e.sectionTitle, e.changed])).toEqual(
        [
          ['charity', 'Families First', 'What we found and what happens next', ['Strengths']],
          ['social.worker', 'Northbridge Council', 'What we found and what happens next', ['Strengths']],
        ],
      );
    });

    it('lists the drafts a person started or added to, and a child’s assessments', async () => {
      const id = await start();
      await save(w.users.gp, id, 'health', { 'registered-gp': 'yes' });
      const mine = await services.assessments.mine(w.users.gp.ctx());
      expect(mine.map((d) => d.id)).toContain(id);
      expect(mine.find((d) => d.id === id)).toMatchObject({
        givenName: 'Maya',
        title: 'Early help assessment: 5 to 9 years',
      });
      expect(await services.assessments.mine(w.users.uninvolved.ctx())).toEqual([]);
      const list = await services.assessments.forPerson(w.users.teacher.ctx(), w.child);
      expect(list.assessments.map((a) => a.id)).toContain(id);
      await expect(services.assessments.forPerson(w.users.uninvolved.ctx(), w.child)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });

  describe('finishing', () => {
    it('lists each required section still to do, and writes nothing', async () => {
      const id = await start();
      await save(w.users.socialWorker, id, 'childs-words', { words: 'Fine' });
      const before = await written();
      const refused = await error(finish(w.users.socialWorker, id));
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).fields.map((f) => f.message)).toEqual([
        'Health: answer the required questions (not started)',
        'Education and learning: answer the required questions (not started)',
        'Friendships, feelings and identity: answer the required questions (not started)',
        'Parenting: how the child is cared for: answer the required questions (not started)',
        'The family and where they live: answer the required questions (not started)',
        'What the family can draw on: answer the required questions (not started)',
        'The parents’ and carers’ views: record the parents’ views, or say why they could not be recorded',
        'What we found and what happens next: answer the required questions (not started)',
      ]);
      expect(fields(refused)[0]).toBe('section-health');
      expect(await written()).toEqual(before);
    });

    it('finishes with no further action; the assessment is then read-only', async () => {
      const id = await start();
      await complete(id);
      const result = await finish(w.users.socialWorker, id);
      expect(result).toEqual({ onwardContactId: null });
      expect(await assessmentRow(id)).toMatchObject({
        status: 'finished',
        outcome: 'no_further_action',
        finishedBy: w.users.socialWorker.id,
        familySummary: 'Maya is doing well at school and loves her mum.',
      });
      const before = await written();
      const edit = await error(save(w.users.socialWorker, id, 'analysis', { strengths: 'More' }, 1));
      expect(edit).toBeInstanceOf(ConflictError);
      expect((edit as Error).message).toBe('This assessment is finished, so it can no longer be changed');
      await expect(finish(w.users.socialWorker, id)).rejects.toBeInstanceOf(ConflictError);
      expect(await written()).toEqual(before);
      const summary = await services.assessments.summary(w.users.socialWorker.ctx(), id);
      expect(summary.childsWords?.shown[0]?.lines).toEqual(['“I want mum to be happy again.”']);
      expect(summary.parentsViews?.notRecordedReason).toBe('Mum was in hospital during the assessment');
      expect(summary.resources?.shown.find((a) => a.id === 'network')?.lines).toEqual(['3 out of 5 (Some)']);
    });

    it('finishes with needs met, and refuses a finish decided on an older version', async () => {
      const id = await start();
      await complete(id);
      const stale = (await version(id)) - 1;
      await expect(
        finish(w.users.teacher, id, { version: stale, outcome: 'needs_met' }),
      ).rejects.toBeInstanceOf(ConflictError);
      await finish(w.users.teacher, id, { outcome: 'needs_met' });
      expect(await assessmentRow(id)).toMatchObject({ outcome: 'needs_met', finishedBy: w.users.teacher.id });
    });

    it('asks what the front door needs for a referral onward, and writes nothing until it is given', async () => {
      const id = await start();
      await complete(id);
      const before = await written();
      const missing = await error(finish(w.users.teacher, id, { outcome: 'referral_onward' }));
      expect(fields(missing)).toEqual(['urgency', 'familyAware', 'consent']);
      const noReason = await error(finish(w.users.socialWorker, id, { ...REFERRAL, consent: 'refused' }));
      expect(fields(noReason)).toEqual(['consentReason']);
      // A school is asked for attendance and behaviour, as on any contact it makes.
      const school = await error(finish(w.users.teacher, id, REFERRAL));
      expect(fields(school)).toEqual(['sectorAnswers.attendance', 'sectorAnswers.behaviour']);
      expect(await written()).toEqual(before);
    });

    it('refers onward: one contact at the front door, prefilled from the assessment, even when the finish is retried', async () => {
      const id = await start();
      await complete(id);
      const contactsBefore = await count('contacts');
      // The first try makes the contact, then fails before the assessment is finished.
      const change = vi.spyOn(services.gate, 'change').mockRejectedValueOnce(new Error('connection lost'));
      await expect(finish(w.users.socialWorker, id, REFERRAL)).rejects.toThrow('connection lost');
      change.mockRestore();
      expect(await count('contacts')).toBe(contactsBefore + 1);
      expect((await assessmentRow(id)).status).toBe('draft');

      const { onwardContactId } = await finish(w.users.socialWorker, id, REFERRAL);
      expect(await count('contacts')).toBe(contactsBefore + 1);
      const row = await assessmentRow(id);
      expect(row).toMatchObject({ status: 'finished', outcome: 'referral_onward', onwardContactId });
      const contact = await database.db
        .selectFrom('contacts')
        .selectAll()
        .where('id', '=', onwardContactId!)
        .executeTakeFirstOrThrow();
      expect(contact).toMatchObject({
        personId: w.child,
        referrerUserId: w.users.socialWorker.id,
        familyAware: true,
        consent: 'given',
        urgency: 'standard',
        source: '5A',
      });
      expect(contact.worries).toContain('Mum’s mental health and the risk of losing the home');
      expect(contact.worries).toContain(`assessment ${row.number}`);
      expect(contact.actionsTaken).toContain('School counselling since January');
      expect(await audits(w.users.socialWorker.id, 'assessment.finish')).toContainEqual(
        expect.objectContaining({
          outcome: 'success',
          detail: expect.objectContaining({ outcome: 'referral_onward', onwardContactId }) as unknown,
        }),
      );
      // A second press of the button after it finished makes nothing more.
      await expect(finish(w.users.socialWorker, id, REFERRAL)).rejects.toBeInstanceOf(ConflictError);
      expect(await count('contacts')).toBe(contactsBefore + 1);
    });

    it('makes one contact when the finish is sent twice at once', async () => {
      const id = await start();
      await complete(id);
      const contactsBefore = await count('contacts');
      const results = await Promise.allSettled([
        finish(w.users.socialWorker, id, REFERRAL),
        finish(w.users.socialWorker, id, REFERRAL),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await count('contacts')).toBe(contactsBefore + 1);
    });
  });
});
