import type { Db } from '../../src/db/database.ts';
import type { PlanKind } from '../../src/db/schema.ts';
import { modulus11CheckDigit } from '../../src/modules/people/index.ts';
import { TEST_NOW } from './context.ts';

/**
 * Rows for flag tests, made with plain inserts: people, plans with their stages (a flag is derived
 * from them), and NHS numbers in the person index (an agency record carrying the number, linked to
 * the person), so checks are tested apart from the plan and import forms.
 */

/** The n-th valid NHS number in the test range 999 000 0000–999 999 9999 (never issued). */
export function testNhsNumber(n: number): string {
  for (let i = n * 11; ; i++) {
    const nine = `999${String(i).padStart(6, '0')}`;
    const check = modulus11CheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}

export async function insertPerson(
  db: Db,
  partnershipId: string,
  person: {
    kind?: 'child' | 'unborn' | 'adult';
    givenName: string | null;
    familyName: string;
    dateOfBirth?: string | null;
  },
): Promise<string> {
  const kind = person.kind ?? 'child';
  const row = await db
    .insertInto('people')
    .values({
      partnershipId,
      kind,
      givenName: person.givenName,
      familyName: person.familyName,
      dateOfBirth: kind === 'unborn' ? null : (person.dateOfBirth ?? '2016-05-04'),
      expectedDate: kind === 'unborn' ? '2026-06-01' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let records = 0;

/** An agency record carrying the NHS number, linked (confirmed) to the person in the index. */
export async function linkNhsNumber(
  db: Db,
  partnershipId: string,
  organisationId: string,
  personId: string,
  nhsNumber: string,
): Promise<void> {
  const source =
    (await db
      .selectFrom('recordSources')
      .select('id')
      .where('partnershipId', '=', partnershipId)
      .where('code', '=', 'flag-test-gp')
      .executeTakeFirst()) ??
    (await db
      .insertInto('recordSources')
      .values({
        partnershipId,
        code: 'flag-test-gp',
        name: 'GP registrations',
        kind: 'gp_registrations',
        organisationId,
      })
      .returning('id')
      .executeTakeFirstOrThrow());
  records += 1;
  const record = await db
    .insertInto('sourceRecords')
    .values({
      partnershipId,
      sourceId: source.id,
      localId: `FLAG-${records}`,
      contentSha256: `flag-${records}`,
      received: JSON.stringify({ columns: ['nhs_number'], values: [nhsNumber] }),
      fields: JSON.stringify({ identifiers: [{ system: 'nhs', value: nhsNumber }] }),
      receivedAt: TEST_NOW,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('sourceRecordIdentifiers')
    .values({ partnershipId, system: 'nhs', value: nhsNumber, sourceRecordId: record.id })
    .execute();
  await db
    .insertInto('recordLinks')
    .values({ partnershipId, sourceRecordId: record.id, personId, status: 'confirmed', probability: 1 })
    .execute();
}

export type StageSpec = { kind: PlanKind; startedOn: string; endedOn?: string };

/**
 * A plan for the children, through the stages given (the last one open unless the plan is closed:
 * `closedOn` is then the last stage's end). `removed` takes a child off the plan on a date.
 */
export async function insertPlan(
  db: Db,
  spec: {
    partnershipId: string;
    leadId: string;
    childIds: string[];
    stages: StageSpec[];
    closedOn?: string;
    removed?: { personId: string; on: string };
  },
): Promise<string> {
  const { partnershipId, leadId, childIds, stages, closedOn } = spec;
  const first = stages[0]!;
  const last = stages.at(-1)!;
  const plan = await db
    .insertInto('plans')
    .values({
      partnershipId,
      kind: last.kind,
      status: closedOn ? 'closed' : 'open',
      familyName: 'Flag family',
      startedOn: first.startedOn,
      closedOn: closedOn ?? null,
      closeReason: closedOn ? 'Closed in a test' : null,
      leadProfessionalId: leadId,
      nextReviewDue: '2026-04-01',
      createdAt: TEST_NOW,
      createdBy: leadId,
      updatedAt: TEST_NOW,
      updatedBy: leadId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('planStages')
    .values(
      stages.map((s, i) => ({
        partnershipId,
        planId: plan.id,
        kind: s.kind,
        startedOn: s.startedOn,
        endedOn: s.endedOn ?? (i === stages.length - 1 ? (closedOn ?? null) : stages[i + 1]!.startedOn),
        reason: 'Decided in a test',
        decidedBy: leadId,
      })),
    )
    .execute();
  await db
    .insertInto('planChildren')
    .values(
      childIds.map((personId) => {
        const removedOn = spec.removed?.personId === personId ? spec.removed.on : null;
        return {
          partnershipId,
          planId: plan.id,
          personId,
          addedOn: first.startedOn,
          removedOn,
          current: !closedOn && !removedOn,
        };
      }),
    )
    .execute();
  return plan.id;
}

/** An account with the flag-check role at a hospital of the partnership. */
export async function insertHospital(db: Db, partnershipId: string, name = 'Northbridge General Hospital') {
  const row = await db
    .insertInto('organisations')
    .values({ partnershipId, name, sector: 'health', kind: 'Hospital trust' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
