import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { buildTrustWorld, type World } from '../../../test/helpers/trust-world.ts';

/** The trust layer seen through the child's record: who sees what, on what basis, and what is audited. */
describe('a child record through the trust layer', () => {
  let database: TestDatabase;
  let services: Services;
  let w: World;

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    w = await buildTrustWorld(database.db);
  });
  afterAll(() => database.close());

  const lastEvent = async () =>
    database.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('partnershipId', '=', w.partnershipId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();

  const levels = (summary: Awaited<ReturnType<Services['people']['summary']>>) =>
    Object.fromEntries(summary.items.map((i) => [i.id, i.level]));

  it('shows the allocated worker the child, item by item, and audits the look with its basis and items', async () => {
    const summary = await services.people.summary(w.users.socialWorker.ctx(), w.child);
    expect(summary.person.givenName).toBe('Maya');
    expect(levels(summary)).toEqual({
      [w.items.schoolStandard]: 'content',
      [w.items.gpHealth]: 'content',
      [w.items.gpSpecial]: 'existence',
      [w.items.councilLocation]: 'content',
      [w.items.councilStandard]: 'content',
    });
    const event = await lastEvent();
    expect(event).toMatchObject({
      action: 'person.view',
      outcome: 'success',
      subjectId: w.child,
      actorUserId: w.users.socialWorker.id,
      actorOrganisationId: w.orgs.council,
      actorRoles: ['practitioner'],
    });
    expect(event.basis).toMatchObject({ kind: 'involvement' });
    expect(event.personIds).toEqual([w.child]);
    expect([...event.itemIds].sort()).toEqual(
      [w.items.schoolStandard, w.items.gpHealth, w.items.councilLocation, w.items.councilStandard].sort(),
    );
  });

  it('lets a team member in through the team’s involvement', async () => {
    const summary = await services.people.summary(w.users.teamMember.ctx(), w.child);
    expect(summary.basis).toMatchObject({ kind: 'involvement' });
  });

  it('refuses a colleague with no involvement, offers emergency access and audits the refusal', async () => {
    const refusal = services.people.summary(w.users.uninvolved.ctx(), w.child);
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refusal).rejects.toMatchObject({ next: { href: `/people/${w.child}/emergency-access` } });
    expect(await lastEvent()).toMatchObject({ action: 'person.view', outcome: 'denied', subjectId: w.child });
  });

  it('gives emergency access for its hours only, with the reason in every audit event', async () => {
    const at = new Date(TEST_NOW.getTime() + 60_000);
    await services.emergencyAccess.start(w.users.uninvolved.ctx(at), w.strangerChild, {
      reason: 'Police report the child missing tonight',
    });
    const summary = await services.people.summary(w.users.uninvolved.ctx(at), w.strangerChild);
    expect(summary.basis).toMatchObject({
      kind: 'emergency',
      reason: 'Police report the child missing tonight',
    });
    expect((await lastEvent()).basis).toMatchObject({ kind: 'emergency' });
    const later = new Date(at.getTime() + 24 * 3_600_000 + 1000);
    await expect(
      services.people.summary(w.users.uninvolved.ctx(later), w.strangerChild),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('puts every emergency use in the privacy officer’s queue, and nobody reviews their own', async () => {
    const queue = await services.emergencyAccess.queue(w.users.privacyOfficer.ctx(), { reviewed: false });
    const use = queue.find((u) => u.personId === w.strangerChild)!;
    expect(use.reason).toBe('Police report the child missing tonight');
    await expect(
      services.emergencyAccess.queue(w.users.uninvolved.ctx(), { reviewed: false }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await services.emergencyAccess.review(w.users.privacyOfficer.ctx(), use.id, {
      outcome: 'justified',
      note: '',
      version: use.version,
    });
    const reviewed = await services.emergencyAccess.queue(w.users.privacyOfficer.ctx(), { reviewed: true });
    expect(reviewed.find((u) => u.id === use.id)?.reviewOutcome).toBe('justified');
  });

  it('shows housing that health items exist but not their content, and hides a restricted location entirely', async () => {
    const summary = await services.people.summary(w.users.housingOfficer.ctx(), w.child);
    expect(levels(summary)).toEqual({
      [w.items.schoolStandard]: 'content',
      [w.items.gpHealth]: 'existence',
      [w.items.gpSpecial]: 'existence',
      [w.items.councilStandard]: 'content',
    });
    const withheld = summary.items.find((i) => i.id === w.items.gpHealth)!;
    expect(withheld).not.toHaveProperty('body');
    expect(withheld).not.toHaveProperty('title');
  });

  it('shares on consent only while consent stands: withdrawal stops it at once', async () => {
    const charity = w.users.charityWorker;
    expect(levels(await services.people.summary(charity.ctx(), w.child))[w.items.schoolStandard]).toBe(
      'existence',
    );
    const consentId = await services.consent.record(w.users.socialWorker.ctx(), w.child, {
      purpose: 'early_help',
      givenBy: 'parental_responsibility',
      givenByName: 'Grace Okafor',
      scope: 'Early help partners',
      obtainedHow: 'in_person',
      givenOn: '2026-03-01',
      expiresOn: null,
    });
    expect(levels(await services.people.summary(charity.ctx(), w.child))[w.items.schoolStandard]).toBe(
      'content',
    );
    await services.consent.withdraw(w.users.socialWorker.ctx(), w.child, consentId, {
      reason: 'Mother withdrew consent by phone',
      version: 1,
    });
    expect(levels(await services.people.summary(charity.ctx(), w.child))[w.items.schoolStandard]).toBe(
      'existence',
    );
  });

  it('lets the owning organisation share one item on a legal basis, and nobody else decide for it', async () => {
    await expect(
      services.sharing.decide(w.users.teacher.ctx(), w.child, w.items.gpSpecial, {
        recipientOrganisationId: w.orgs.housing,
        decision: 'share',
        lawfulBasis: 'safeguarding',
        reason: 'Not mine to share',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await services.sharing.decide(w.users.gp.ctx(), w.child, w.items.gpSpecial, {
      recipientOrganisationId: w.orgs.housing,
      decision: 'share',
      lawfulBasis: 'safeguarding',
      reason: 'Needed to assess the risk of the move',
    });
    const summary = await services.people.summary(w.users.housingOfficer.ctx(), w.child);
    const shared = summary.items.find((i) => i.id === w.items.gpSpecial)!;
    expect(shared).toMatchObject({
      level: 'content',
      basis: { kind: 'decision', lawfulBasis: 'safeguarding' },
    });
  });

  it('keeps a sealed record from everyone not named on it, in reads, search and counts', async () => {
    await expect(services.people.summary(w.users.uninvolved.ctx(), w.sealedChild)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      services.emergencyAccess.start(w.users.uninvolved.ctx(), w.sealedChild, {
        reason: 'Trying to get in anyway',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const found = await services.people.search(w.users.uninvolved.ctx(), {
      name: 'okafor',
      dateOfBirth: null,
    });
    expect(found.rows.map((r) => r.id)).not.toContain(w.sealedChild);
    expect(found.total).toBe(2);
    const named = await services.people.search(w.users.socialWorker.ctx(), {
      name: 'okafor',
      dateOfBirth: null,
    });
    expect(named.rows.map((r) => r.id)).toContain(w.sealedChild);
    expect(named.total).toBe(3);
    expect(
      (await services.people.summary(w.users.socialWorker.ctx(), w.sealedChild)).person.sealedAt,
    ).not.toBeNull();
  });

  it('marks search results the searcher is not involved with, and audits the search with every person shown', async () => {
    const found = await services.people.search(w.users.teacher.ctx(), { name: 'okafor', dateOfBirth: null });
    expect(found.rows.map((r) => [r.givenName, r.involved])).toEqual([
      ['Leo', false],
      ['Maya', true],
    ]);
    const event = await lastEvent();
    expect(event.action).toBe('person.search');
    expect([...event.personIds].sort()).toEqual([w.child, w.strangerChild].sort());
  });

  it('never lets a user see another partnership’s child', async () => {
    await expect(services.people.summary(w.users.outsider.ctx(), w.child)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(services.people.summary(w.users.socialWorker.ctx(), w.otherChild)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('gives analysts figures, never a person', async () => {
    await expect(services.people.summary(w.users.analyst.ctx(), w.child)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      services.people.search(w.users.analyst.ctx(), { name: 'okafor', dateOfBirth: null }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const table = await services.people.childrenByLocality(w.users.analyst.ctx());
    expect(table.bands).toEqual(['0-4', '5-10', '11-15', '16-17']);
  });

  it('ends access when the involvement ends, and refuses an end before the start', async () => {
    const manager = w.users.manager.ctx();
    await expect(
      services.involvements.end(manager, w.child, w.involvements.teacher, {
        endedOn: '2020-01-01',
        endReason: 'Left the school',
        version: 1,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await services.involvements.end(manager, w.child, w.involvements.teacher, {
      endedOn: '2026-03-01',
      endReason: 'Left the school',
      version: 1,
    });
    await expect(services.people.summary(w.users.teacher.ctx(), w.child)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('lets someone involved bring in a colleague, but not someone on emergency access', async () => {
    await services.involvements.add(w.users.socialWorker.ctx(), w.child, {
      userId: w.users.uninvolved.id,
      teamId: null,
      kind: 'team_around_family',
      purpose: 'safeguarding',
      reason: 'Covering while the allocated worker is away',
      startedOn: null,
    });
    expect((await services.people.summary(w.users.uninvolved.ctx(), w.child)).basis.kind).toBe('involvement');
  });

  it('shows the privacy officer and those involved who has looked, and audits that look too', async () => {
    const log = await services.people.accessLog(w.users.privacyOfficer.ctx(), w.child);
    expect(log.some((e) => e.action === 'person.view' && e.actorLabel === 'housing')).toBe(true);
    expect(log.some((e) => e.outcome === 'denied')).toBe(true);
    expect((await lastEvent()).basis).toMatchObject({ kind: 'subject_access' });
    await expect(
      services.people.accessLog(w.users.housingOfficer.ctx(), w.sealedChild),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await services.audit.verifyChain(w.partnershipId)).ok).toBe(true);
  });

  describe('details beyond the index: other names, date-of-birth certainty, language and contact', () => {
    it('changes the details at the version the editor saw, audits it, and refuses a stale edit', async () => {
      const ctx = w.users.socialWorker.ctx();
      const before = await services.people.details(ctx, w.child);
      await services.people.updateDetails(ctx, w.child, {
        dateOfBirthCertainty: 'verified',
        language: 'Polish',
        interpreterNeeded: true,
        phone: '01632 960 001',
        email: null,
        version: before.version,
      });
      const after = await services.people.summary(ctx, w.child);
      expect(after.person).toMatchObject({
        dateOfBirthCertainty: 'verified',
        language: 'Polish',
        interpreterNeeded: true,
        phone: '01632 960 001',
        email: null,
        version: before.version + 1,
      });
      const events = await database.db
        .selectFrom('auditEvents')
        .select(['action', 'personIds'])
        .where('action', '=', 'person.details.update')
        .execute();
      expect(events).toEqual([{ action: 'person.details.update', personIds: [w.child] }]);
      await expect(
        services.people.updateDetails(ctx, w.child, {
          dateOfBirthCertainty: 'estimated',
          language: null,
          interpreterNeeded: false,
          phone: null,
          email: null,
          version: before.version,
        }),
      ).rejects.toThrow(/Someone else has changed these details/);
      expect((await services.people.details(ctx, w.child)).dateOfBirthCertainty).toBe('verified');
    });

    it('records another name, shown with the record, most recent first', async () => {
      const ctx = w.users.socialWorker.ctx();
      await services.people.addName(ctx, w.child, {
        kind: 'previous',
        givenName: 'Maya',
        familyName: 'Kowalska',
        usedFrom: '2015-01-01',
        usedUntil: '2020-06-30',
      });
      await services.people.addName(ctx, w.child, {
        kind: 'known_as',
        givenName: 'May',
        familyName: 'Okafor',
        usedFrom: null,
        usedUntil: null,
      });
      const { otherNames } = await services.people.summary(ctx, w.child);
      expect(otherNames.map((n) => `${n.kind} ${n.givenName} ${n.familyName}`)).toEqual([
        'known_as May Okafor',
        'previous Maya Kowalska',
      ]);
    });

    it('lets no one without access to the child change or read the details', async () => {
      await expect(services.people.details(w.users.manager.ctx(), w.child)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(
        services.people.addName(w.users.manager.ctx(), w.child, {
          kind: 'alias',
          givenName: null,
          familyName: 'Smith',
          usedFrom: null,
          usedUntil: null,
        }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(services.people.details(w.users.socialWorker.ctx(), w.otherChild)).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });
  });
});
