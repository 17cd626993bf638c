import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, Role } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { createServices, type Services } from '../../composition.ts';
import { loadConfig } from '../../config.ts';
import { insertPartnership } from '../../../test/helpers/builders.ts';
import { buildCtx, TEST_NOW } from '../../../test/helpers/context.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildFamilyPlan, HIDDEN, type FamilyPlan } from '../../../test/helpers/family-plan.ts';
import { activationCodeHash, type IssuedCode } from './plans.family.ts';
import { ActivationInput, FamilyAccountInput, FamilyCommentInput } from './plans.family.schemas.ts';

const DAY = 86_400_000;
const PASSWORD = 'a long family password';

describe('family accounts and the family’s view', () => {
  let database: TestDatabase;
  let services: Services;
  let partnershipId: string;
  let organisationId: string;
  let lead: Actor;
  let uninvolved: Actor;
  let plan: FamilyPlan;
  let otherPlan: FamilyPlan;

  const user = async (email: string, roles: Role[]): Promise<Actor> => {
    const row = await database.db
      .insertInto('users')
      .values({ partnershipId, email, displayName: email.split('@')[0]!, organisationId, roles })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { userId: row.id, partnershipId, organisationId, roles, displayName: email.split('@')[0]! };
  };
  const ctx = (actor: Actor, now = TEST_NOW) => buildCtx(actor, { now });
  const publicCtx = (now = TEST_NOW) => buildCtx({ system: 'family-activation' }, { now });
  const accountInput = (overrides: Record<string, unknown> = {}) =>
    FamilyAccountInput.parse({
      displayName: 'Jo Family',
      email: 'jo@family.example',
      relationship: 'parent',
      language: 'en',
      ...overrides,
    });
  const activation = (email: string, code: string, password = PASSWORD) =>
    ActivationInput.parse({ email, code, password, confirmPassword: password });
  /** The family member behind an account, as the actor of their own requests. */
  const familyActor = async (accountId: string): Promise<Actor> => {
    const row = await database.db
      .selectFrom('familyAccounts as fa')
      .innerJoin('users as u', 'u.id', 'fa.userId')
      .select(['u.id', 'u.displayName', 'u.organisationId', 'u.roles'])
      .where('fa.id', '=', accountId)
      .executeTakeFirstOrThrow();
    return {
      userId: row.id,
      partnershipId,
      organisationId: row.organisationId,
      roles: row.roles as Role[],
      displayName: row.displayName,
    };
  };
  const auditEvents = (action: string) =>
    database.db
      .selectFrom('auditEvents')
      .select(['outcome', 'personIds', 'basis', 'actorUserId', 'subjectId', 'detail'])
      .where('partnershipId', '=', partnershipId)
      .where('action', '=', action)
      .orderBy('seq')
      .execute();
  const count = async (table: 'familyAccounts' | 'users' | 'planComments' | 'planEvents') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** currentChildren's order: by date added, then id. */
  const sortedChildren = () => [...plan.childIds].sort();
  const action = (id: string) =>
    database.db.selectFrom('planActions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A family member with a password, signed in as far as the services are concerned. */
  const activeFamilyMember = async (email: string, target = plan) => {
    const issued = await services.family.addAccount(ctx(lead), target.planId, accountInput({ email }));
    await services.family.activate(publicCtx(), activation(email, issued.code));
    return { issued, actor: await familyActor(issued.accountId) };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    services = createServices(database.db, loadConfig({ DATA_DIR: 'memory://' }));
    partnershipId = await insertPartnership(database.db);
    organisationId = (
      await database.db
        .insertInto('organisations')
        .values({ partnershipId, name: 'Northbridge Family Support', sector: 'social_care', kind: 'Council' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    lead = await user('lead@council.example', ['practitioner']);
    uninvolved = await user('other@council.example', ['practitioner']);
    plan = await buildFamilyPlan(database.db, {
      partnershipId,
      organisationId,
      leadUserId: lead.userId,
      familyName: 'Okafor',
    });
    otherPlan = await buildFamilyPlan(database.db, {
      partnershipId,
      organisationId,
      leadUserId: lead.userId,
      familyName: 'Brook',
    });
  });
  afterAll(() => database.close());

  describe('giving a family member a sign-in', () => {
    let issued: IssuedCode;

    it('makes a family_member account of the practitioner’s organisation, without a password, and a code kept only as its hash', async () => {
      issued = await services.family.addAccount(ctx(lead), plan.planId, accountInput());
      expect(issued.code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      expect(issued.expiresAt.getTime() - TEST_NOW.getTime()).toBe(14 * DAY);
      const account = await database.db
        .selectFrom('familyAccounts')
        .selectAll()
        .where('id', '=', issued.accountId)
        .executeTakeFirstOrThrow();
      expect(account).toMatchObject({
        planId: plan.planId,
        relationship: 'parent',
        language: 'en',
        personId: null,
        grantedBy: lead.userId,
      });
      expect(account.activationSha256).toBe(activationCodeHash(issued.code));
      expect(JSON.stringify(account)).not.toContain(issued.code);
      const holder = await database.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', account.userId)
        .executeTakeFirstOrThrow();
      expect(holder).toMatchObject({
        roles: ['family_member'],
        organisationId,
        passwordHash: null,
        email: 'jo@family.example',
      });
      const [event] = await auditEvents('plan.family-account.add');
      expect(event).toMatchObject({ outcome: 'success', actorUserId: lead.userId });
      expect(event!.personIds).toEqual(sortedChildren());
      const history = await database.db
        .selectFrom('planEvents')
        .select('action')
        .where('planId', '=', plan.planId)
        .execute();
      expect(history.map((h) => h.action)).toContain('add_family_account');
    });

    it('lists the plan’s accounts with their status', async () => {
      const page = await services.family.listAccounts(ctx(lead), plan.planId);
      expect(page.accounts.map((a) => [a.displayName, a.status])).toEqual([['Jo Family', 'waiting']]);
      expect(page.children).toHaveLength(2);
      const later = await services.family.listAccounts(
        ctx(lead, new Date(TEST_NOW.getTime() + 15 * DAY)),
        plan.planId,
      );
      expect(later.accounts[0]!.status).toBe('code_expired');
    });

    it('ties a young person’s account to their own record, which must be a child on the plan', async () => {
      const young = await services.family.addAccount(
        ctx(lead),
        plan.planId,
        accountInput({
          email: 'maya@family.example',
          relationship: 'young_person',
          personId: plan.childIds[0],
        }),
      );
      const row = await database.db
        .selectFrom('familyAccounts')
        .select('personId')
        .where('id', '=', young.accountId)
        .executeTakeFirstOrThrow();
      expect(row.personId).toBe(plan.childIds[0]);
      const before = await count('familyAccounts');
      const notOnPlan = services.family.addAccount(
        ctx(lead),
        plan.planId,
        accountInput({
          email: 'sam@family.example',
          relationship: 'young_person',
          personId: otherPlan.childIds[0],
        }),
      );
      await expect(notOnPlan).rejects.toMatchObject({ fields: [{ field: 'personId' }] });
      expect(() => accountInput({ relationship: 'young_person' })).toThrow('Select which child on the plan');
      expect(await count('familyAccounts')).toBe(before);
    });

    it('refuses an email address already in use, clearly, writing nothing', async () => {
      const [accounts, users] = [await count('familyAccounts'), await count('users')];
      for (const email of ['lead@council.example', 'jo@family.example']) {
        const refused = services.family.addAccount(ctx(lead), plan.planId, accountInput({ email }));
        await expect(refused).rejects.toBeInstanceOf(ValidationError);
        await expect(refused).rejects.toThrow('email: An account with this email address already exists');
      }
      expect([await count('familyAccounts'), await count('users')]).toEqual([accounts, users]);
    });

    it('is refused to a practitioner with no basis for the children, and to a family member', async () => {
      await expect(
        services.family.addAccount(ctx(uninvolved), plan.planId, accountInput({ email: 'x@family.example' })),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(services.family.listAccounts(ctx(uninvolved), plan.planId)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      const family = await familyActor(issued.accountId);
      await expect(services.family.listAccounts(ctx(family), plan.planId)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    });
  });

  describe('activation', () => {
    it('sets the password with the right code, uses the code up, and the family member can then sign in', async () => {
      const issued = await services.family.addAccount(
        ctx(lead),
        plan.planId,
        accountInput({ email: 'kim@family.example' }),
      );
      await services.family.activate(
        publicCtx(),
        activation('KIM@family.example', issued.code.toLowerCase().replaceAll('-', ' ')),
      );
      const account = await database.db
        .selectFrom('familyAccounts')
        .selectAll()
        .where('id', '=', issued.accountId)
        .executeTakeFirstOrThrow();
      expect(account.activationSha256).toBeNull();
      const signedIn = await services.sessions.signIn(publicCtx(), {
        email: 'kim@family.example',
        password: PASSWORD,
      });
      expect(signedIn.status).toBe('signed-in');
      const [event] = (await auditEvents('family.account.activate')).filter((e) => e.outcome === 'success');
      expect(event!.personIds).toEqual(sortedChildren());
      expect(event!.basis).toEqual({ kind: 'family_account', familyAccountId: issued.accountId });

      // The code works once.
      await expect(
        services.family.activate(
          publicCtx(),
          activation('kim@family.example', issued.code, 'another long password'),
        ),
      ).rejects.toMatchObject({
        fields: [{ field: 'code', message: 'errors.code.wrong' }],
      });
    });

    it('gives one plain answer to a wrong code, an unknown email and an expired code, and changes nothing', async () => {
      const issued = await services.family.addAccount(
        ctx(lead),
        plan.planId,
        accountInput({ email: 'lee@family.example' }),
      );
      const wrong = [
        () => services.family.activate(publicCtx(), activation('lee@family.example', 'ABCD-EFGH-JKMN-PQRS')),
        () => services.family.activate(publicCtx(), activation('nobody@family.example', issued.code)),
        () =>
          services.family.activate(
            publicCtx(new Date(TEST_NOW.getTime() + 15 * DAY)),
            activation('lee@family.example', issued.code),
          ),
        // Someone else's code with this address
        () => services.family.activate(publicCtx(), activation('jo@family.example', issued.code)),
      ];
      for (const attempt of wrong)
        await expect(attempt()).rejects.toMatchObject({
          fields: [{ field: 'code', message: 'errors.code.wrong' }],
        });
      const holder = await database.db
        .selectFrom('users')
        .select('passwordHash')
        .where('email', '=', 'lee@family.example')
        .executeTakeFirstOrThrow();
      expect(holder.passwordHash).toBeNull();
      const failed = (await auditEvents('family.account.activate')).filter((e) => e.outcome === 'failed');
      expect(failed.length).toBeGreaterThanOrEqual(3);
      // The code still works within its 14 days.
      await services.family.activate(publicCtx(), activation('lee@family.example', issued.code));
    });

    it('holds the password to the staff accounts’ rule, and the two must match', () => {
      expect(
        ActivationInput.safeParse({
          email: 'a@b.example',
          code: 'X',
          password: 'short',
          confirmPassword: 'short',
        }).error?.issues[0]?.message,
      ).toBe('errors.password.tooShort');
      expect(
        ActivationInput.safeParse({
          email: 'a@b.example',
          code: 'X',
          password: PASSWORD,
          confirmPassword: `${PASSWORD}!`,
        }).error?.issues[0],
      ).toMatchObject({ path: ['confirmPassword'], message: 'errors.password.mismatch' });
    });

    it('gives a new code that replaces the old one', async () => {
      const issued = await services.family.addAccount(
        ctx(lead),
        plan.planId,
        accountInput({ email: 'max@family.example' }),
      );
      const again = await services.family.newCode(ctx(lead), plan.planId, issued.accountId);
      await expect(
        services.family.activate(publicCtx(), activation('max@family.example', issued.code)),
      ).rejects.toBeInstanceOf(ValidationError);
      await services.family.activate(publicCtx(), activation('max@family.example', again.code));
    });
  });

  describe('the family’s view', () => {
    let family: Actor;
    let accountId: string;
    beforeAll(async () => {
      const member = await activeFamilyMember('view@family.example');
      family = member.actor;
      accountId = member.issued.accountId;
    });

    it('shows their plan with nothing marked not for the family, and audits the look with the children', async () => {
      const view = await services.family.viewPlan(ctx(family), plan.planId);
      expect(view.goals.map((g) => g.title)).toEqual(['Mornings go smoothly']);
      expect(view.goals[0]!.ratings.map((r) => r.score)).toEqual([5, 7]);
      expect(view.actions.map((a) => a.id).sort()).toEqual(
        [plan.actions.family, plan.actions.familyDone, plan.actions.practitioner, plan.actions.agency].sort(),
      );
      expect(view.actions.find((a) => a.id === plan.actions.family)!.canMarkDone).toBe(true);
      expect(view.actions.find((a) => a.id === plan.actions.practitioner)!.canMarkDone).toBe(false);
      expect(view.reviews.map((r) => r.id)).toEqual([plan.reviews.shared]);
      expect(view.comments.map((c) => c.id)).toEqual([plan.comments.shared]);
      expect(view.team).toEqual([
        {
          name: 'lead',
          role: 'Family support worker',
          organisation: 'Northbridge Family Support',
          email: 'lead@council.example',
          lead: true,
        },
      ]);
      expect(JSON.stringify(view)).not.toContain(HIDDEN);
      const [event] = (await auditEvents('family.plan.view')).filter((e) => e.actorUserId === family.userId);
      expect(event).toMatchObject({
        outcome: 'success',
        subjectId: plan.planId,
        basis: { kind: 'family_account', familyAccountId: accountId },
      });
      expect(event!.personIds).toEqual(sortedChildren());
    });

    it('answers another family’s plan as not found, and audits the refusal', async () => {
      await expect(services.family.viewPlan(ctx(family), otherPlan.planId)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      const refused = (await auditEvents('family.plan.view')).filter((e) => e.outcome === 'denied');
      expect(refused.at(-1)).toMatchObject({ subjectId: otherPlan.planId, actorUserId: family.userId });
    });

    it('is not for staff', async () => {
      await expect(services.family.viewPlan(ctx(lead), plan.planId)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(services.family.home(ctx(lead))).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('lets them mark their own family’s action done, as them, once', async () => {
      const before = await action(plan.actions.family);
      const done = await services.family.markActionDone(ctx(family), plan.planId, plan.actions.family, {
        version: before.version,
      });
      expect(done.description).toBe('Take the children to the dentist');
      const after = await action(plan.actions.family);
      expect(after).toMatchObject({
        status: 'done',
        completedBy: family.userId,
        updatedBy: family.userId,
        version: before.version + 1,
      });
      expect((await auditEvents('family.action.done')).at(-1)).toMatchObject({
        outcome: 'success',
        actorUserId: family.userId,
      });
      const again = services.family.markActionDone(ctx(family), plan.planId, plan.actions.family, {
        version: before.version,
      });
      await expect(again).rejects.toBeInstanceOf(ConflictError);
      await expect(again).rejects.toThrow('errors.action.changed');
    });

    it('refuses a practitioner’s or an agency’s action, anything hidden and anything on another plan, writing nothing', async () => {
      for (const id of [plan.actions.practitioner, plan.actions.agency]) {
        const refused = services.family.markActionDone(ctx(family), plan.planId, id, { version: 1 });
        await expect(refused).rejects.toMatchObject({
          fields: [{ field: `action-${id}`, message: 'errors.action.notFamily' }],
        });
        expect((await action(id)).status).toBe('to_do');
      }
      await expect(
        services.family.markActionDone(ctx(family), plan.planId, plan.actions.familyHidden, { version: 1 }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        services.family.markActionDone(ctx(family), plan.planId, otherPlan.actions.family, { version: 1 }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        services.family.markActionDone(ctx(family), otherPlan.planId, otherPlan.actions.family, {
          version: 1,
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect((await action(plan.actions.familyHidden)).status).toBe('to_do');
      expect((await action(otherPlan.actions.family)).status).toBe('to_do');
    });

    it('takes their comment to the team, from the family', async () => {
      const events = await count('planEvents');
      await services.family.addComment(
        ctx(family, new Date(TEST_NOW.getTime() + 3_600_000)),
        plan.planId,
        FamilyCommentInput.parse({ body: '  The dentist is booked for Friday  ' }),
      );
      const view = await services.family.viewPlan(ctx(family), plan.planId);
      expect(view.comments[0]).toMatchObject({
        body: 'The dentist is booked for Friday',
        fromFamily: true,
        forFamily: true,
        mine: true,
      });
      expect(await count('planEvents')).toBe(events + 1);
      expect((await auditEvents('family.comment.add')).at(-1)!.personIds).toEqual(sortedChildren());
      await expect(
        services.family.addComment(ctx(family), otherPlan.planId, { body: 'Hello' }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses an empty or over-long comment at the edge', () => {
      expect(FamilyCommentInput.safeParse({ body: '   ' }).error?.issues[0]?.message).toBe(
        'errors.comment.missing',
      );
      expect(FamilyCommentInput.safeParse({ body: 'x'.repeat(5001) }).error?.issues[0]?.message).toBe(
        'errors.comment.tooLong',
      );
    });

    it('takes nothing once the plan is closed', async () => {
      const closing = await buildFamilyPlan(database.db, {
        partnershipId,
        organisationId,
        leadUserId: lead.userId,
        familyName: 'Closed',
      });
      const member = await activeFamilyMember('closed@family.example', closing);
      await database.db
        .updateTable('plans')
        .set({ status: 'closed', closedOn: '2026-03-01' })
        .where('id', '=', closing.planId)
        .execute();
      const view = await services.family.viewPlan(ctx(member.actor), closing.planId);
      expect(view.actions.every((a) => !a.canMarkDone)).toBe(true);
      await expect(
        services.family.addComment(ctx(member.actor), closing.planId, { body: 'Hi' }),
      ).rejects.toThrow('errors.planClosed');
      await expect(
        services.family.markActionDone(ctx(member.actor), closing.planId, closing.actions.family, {
          version: 1,
        }),
      ).rejects.toThrow('errors.planClosed');
      await expect(
        services.family.addAccount(ctx(lead), closing.planId, accountInput({ email: 'late@family.example' })),
      ).rejects.toBeInstanceOf(ConflictError);
    });
  });

  describe('revoking', () => {
    it('ends the sign-in at once; revoking again changes nothing; the address can be given a sign-in again', async () => {
      const { issued, actor } = await activeFamilyMember('gone@family.example');
      expect(await services.family.home(ctx(actor))).toEqual({ planId: plan.planId, language: 'en' });
      const revoked = await services.family.revokeAccount(ctx(lead), plan.planId, issued.accountId);
      expect(revoked).toEqual({ displayName: 'Jo Family', alreadyRevoked: false });
      await expect(services.family.viewPlan(ctx(actor), plan.planId)).rejects.toBeInstanceOf(NotFoundError);
      expect(await services.family.home(ctx(actor))).toBeNull();
      await expect(
        services.sessions.signIn(publicCtx(), { email: 'gone@family.example', password: PASSWORD }),
      ).rejects.toThrow('deactivated');
      expect(await services.family.revokeAccount(ctx(lead), plan.planId, issued.accountId)).toMatchObject({
        alreadyRevoked: true,
      });
      await expect(services.family.newCode(ctx(lead), plan.planId, issued.accountId)).rejects.toBeInstanceOf(
        ConflictError,
      );

      const again = await services.family.addAccount(
        ctx(lead),
        plan.planId,
        accountInput({ email: 'gone@family.example', displayName: 'Jo Again' }),
      );
      expect((await familyActor(again.accountId)).userId).toBe(actor.userId);
      await expect(
        services.sessions.signIn(publicCtx(), { email: 'gone@family.example', password: PASSWORD }),
      ).rejects.toThrow();
      await services.family.activate(
        publicCtx(),
        activation('gone@family.example', again.code, 'a brand new password'),
      );
      expect(
        (
          await services.sessions.signIn(publicCtx(), {
            email: 'gone@family.example',
            password: 'a brand new password',
          })
        ).status,
      ).toBe('signed-in');
    });

    it('answers an account of another plan as not found', async () => {
      const other = await services.family.addAccount(
        ctx(lead),
        otherPlan.planId,
        accountInput({ email: 'brook@family.example' }),
      );
      await expect(
        services.family.revokeAccount(ctx(lead), plan.planId, other.accountId),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it('records the system as the actor of an activation, on the partnership’s chain', async () => {
    const [event] = await database.db
      .selectFrom('auditEvents')
      .select(['actorLabel', 'partnershipId'])
      .where('action', '=', 'family.account.activate')
      .limit(1)
      .execute();
    expect(event).toEqual({ actorLabel: 'system: family-activation', partnershipId });
  });
});
