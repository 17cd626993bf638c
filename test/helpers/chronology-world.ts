import type { Db } from '../../src/db/database.ts';
import { TEST_NOW } from './context.ts';
import type { World } from './trust-world.ts';

/**
 * One of everything a chronology merges, about the trust world's child (test/helpers/trust-world.ts),
 * written straight into the tables: a contact from the school and the front door's decision, three
 * signals (the school's, and two of the GP's at the health and special-category sensitivities), an
 * alert acknowledged and closed, an assessment started and finished, and a plan that stepped up,
 * changed lead, held a review and closed. Free texts the chronology must never show carry SECRET.
 */
export async function buildChronologyWorld(db: Db, w: World) {
  const partnershipId = w.partnershipId;
  const at = (iso: string) => new Date(iso);

  const contact = await db
    .insertInto('contacts')
    .values({
      partnershipId,
      receivedAt: at('2026-01-10T10:00:00Z'),
      recordedAt: at('2026-01-10T10:05:00Z'),
      dueAt: at('2026-01-11T10:00:00Z'),
      channel: 'phone',
      source: '2A',
      referrerUserId: w.users.teacher.id,
      referrerOrganisationId: w.orgs.school,
      personId: w.child,
      worries: 'SECRET worries the teacher wrote',
      familyAware: true,
      consent: 'given',
      urgency: 'today',
      status: 'decided',
      claimedBy: w.users.manager.id,
      claimedAt: at('2026-01-10T11:00:00Z'),
      outcome: 'early_help',
      levelOfNeed: 'additional',
      decisionReason: 'SECRET reason for the decision',
      decidedBy: w.users.manager.id,
      decidedAt: at('2026-01-11T09:00:00Z'),
      finalAt: at('2026-01-11T09:00:00Z'),
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('contactEvents')
    .values([
      {
        partnershipId,
        contactId: contact.id,
        action: 'note',
        at: at('2026-01-10T12:00:00Z'),
        actorUserId: w.users.manager.id,
        actorLabel: 'manager',
        detail: JSON.stringify({ note: 'SECRET note on the contact' }),
      },
      {
        partnershipId,
        contactId: contact.id,
        action: 'decide',
        at: at('2026-01-11T09:00:00Z'),
        actorUserId: w.users.manager.id,
        actorLabel: 'manager',
        detail: JSON.stringify({
          outcome: 'early_help',
          levelOfNeed: 'additional',
          reason: 'SECRET reason for the decision',
        }),
      },
    ])
    .execute();

  const signal = async (
    organisationId: string,
    recordedBy: string,
    values: {
      category: 'school_attendance' | 'health_needs_not_met' | 'mental_health';
      severity: number;
      description: string;
      observedOn: string;
      dataType: 'education' | 'health';
      sensitivity: 'standard' | 'health' | 'special_category';
    },
  ) =>
    (
      await db
        .insertInto('signals')
        .values({
          partnershipId,
          personId: w.child,
          organisationId,
          recordedBy,
          source: 'practitioner',
          recordedAt: TEST_NOW,
          ...values,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const signals = {
    school: await signal(w.orgs.school, w.users.teacher.id, {
      category: 'school_attendance',
      severity: 2,
      description: 'Attendance 82% this term',
      observedOn: '2026-02-03',
      dataType: 'education',
      sensitivity: 'standard',
    }),
    gpHealth: await signal(w.orgs.gp, w.users.gp.id, {
      category: 'health_needs_not_met',
      severity: 3,
      description: 'Missed two dental appointments',
      observedOn: '2026-02-10',
      dataType: 'health',
      sensitivity: 'health',
    }),
    gpSpecial: await signal(w.orgs.gp, w.users.gp.id, {
      category: 'mental_health',
      severity: 2,
      description: 'Talked about feeling low',
      observedOn: '2026-02-12',
      dataType: 'health',
      sensitivity: 'special_category',
    }),
  };

  const rule = await db
    .insertInto('signalRules')
    .values({
      partnershipId,
      key: 'two-agencies',
      version: 1,
      name: 'Signals from two agencies',
      ownerUserId: w.users.manager.id,
      route: 'front_door',
      conditions: '{}',
      fixtures: '[]',
      active: true,
      createdAt: TEST_NOW,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const alert = await db
    .insertInto('alerts')
    .values({
      partnershipId,
      personId: w.child,
      ruleId: rule.id,
      ruleKey: 'two-agencies',
      signalIds: JSON.stringify([signals.school, signals.gpSpecial]),
      explanation: 'SECRET explanation naming Talked about feeling low',
      routedTo: 'front_door',
      status: 'closed',
      raisedAt: at('2026-02-12T12:00:00Z'),
      updatedAt: at('2026-02-14T09:00:00Z'),
      acknowledgedAt: at('2026-02-13T09:00:00Z'),
      acknowledgedBy: w.users.manager.id,
      closedAt: at('2026-02-14T09:00:00Z'),
      closedBy: w.users.manager.id,
      outcome: 'no_action',
      outcomeNote: 'SECRET reason for no action',
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const assessment = await db
    .insertInto('assessments')
    .values({
      partnershipId,
      personId: w.child,
      templateId: 'early-help-5-9',
      templateVersion: 1,
      status: 'finished',
      startedAt: at('2026-01-20T10:00:00Z'),
      startedBy: w.users.socialWorker.id,
      finishedAt: at('2026-02-01T10:00:00Z'),
      finishedBy: w.users.socialWorker.id,
      outcome: 'needs_met',
      updatedAt: at('2026-02-01T10:00:00Z'),
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();

  const plan = await db
    .insertInto('plans')
    .values({
      partnershipId,
      kind: 'child_in_need',
      status: 'closed',
      familyName: 'Okafor family',
      startedOn: '2026-01-15',
      closedOn: '2026-02-25',
      closeReason: 'Goals met',
      leadProfessionalId: w.users.teamMember.id,
      nextReviewDue: '2026-04-15',
      createdAt: at('2026-01-15T10:00:00Z'),
      createdBy: w.users.socialWorker.id,
      updatedAt: at('2026-02-25T10:00:00Z'),
      updatedBy: w.users.teamMember.id,
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('planChildren')
    .values({ partnershipId, planId: plan.id, personId: w.child, addedOn: '2026-01-15', current: false })
    .execute();
  const stage = (
    kind: 'early_help' | 'child_in_need',
    startedOn: string,
    endedOn: string,
    reason: string,
  ) => ({
    partnershipId,
    planId: plan.id,
    kind,
    startedOn,
    endedOn,
    reason,
    decidedBy: w.users.socialWorker.id,
  });
  await db
    .insertInto('planStages')
    .values([
      stage('early_help', '2026-01-15', '2026-02-05', 'Allocated from the front door'),
      stage('child_in_need', '2026-02-05', '2026-02-25', 'Worries grew'),
    ])
    .execute();
  await db
    .insertInto('planLeads')
    .values([
      {
        partnershipId,
        planId: plan.id,
        userId: w.users.socialWorker.id,
        startedAt: at('2026-01-15T10:00:00Z'),
        endedAt: at('2026-02-08T10:00:00Z'),
        recordedBy: w.users.socialWorker.id,
      },
      {
        partnershipId,
        planId: plan.id,
        userId: w.users.teamMember.id,
        startedAt: at('2026-02-08T10:00:00Z'),
        handoverNote: 'Handed over for leave',
        recordedBy: w.users.socialWorker.id,
      },
    ])
    .execute();
  const review = await db
    .insertInto('planReviews')
    .values({
      partnershipId,
      planId: plan.id,
      heldOn: '2026-02-20',
      kind: 'review',
      attendance: '[]',
      decisions: 'Keep going with the plan',
      recordedAt: at('2026-02-20T15:00:00Z'),
      recordedBy: w.users.teamMember.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  return {
    contactId: contact.id,
    contactNumber: String(contact.number),
    signals,
    alertId: alert.id,
    assessmentId: assessment.id,
    assessmentNumber: String(assessment.number),
    plan: { id: plan.id, number: String(plan.number) },
    reviewId: review.id,
  };
}
