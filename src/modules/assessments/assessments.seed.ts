import { Faker, base } from '@faker-js/faker';
import { sql } from 'kysely';
import { addDays, daysBetween, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { NewRow, Sector } from '../../db/schema.ts';
import type { AnswerValue, Answers } from './assessments.answers.ts';
import {
  ageBandOn,
  loadTemplates,
  templateJurisdiction,
  type Template,
  type TemplateQuestion,
  type TemplateRegistry,
  type TemplateSection,
} from './assessments.template.ts';

/**
 * The demo's assessments: each early-help plan began with an assessment of its first child,
 * finished with "needs met" and answered section by section by the plan's team (each section by
 * someone whose sector may contribute to it, a specialist of that sector where the team has one); the open statutory assessments without a plan have a
 * draft in progress by their allocated worker. Answers are made from each template's own questions.
 */

export type AssessmentSeedCounts = { finished: number; drafts: number; sections: number };

type Person = { id: string; dateOfBirth: string | null; expectedDate: string | null };
type Worker = { id: string; organisationId: string; sector: Sector };
type Subject = {
  planId: string | null;
  episodeId: string | null;
  child: Person;
  startedOn: string;
  lead: Worker;
  team: Worker[];
};

const SAYINGS: Record<string, string[]> = {
  'child-voice': [
    '“I like it when mum walks me to school. I don’t like it when there’s shouting.”',
    '“My teacher is kind. I want to go to football club with my friend.”',
    '“Sometimes I’m hungry at school. I worry about mum when she’s sad.”',
    '“I want my own bed. My brother keeps me awake.”',
  ],
  'parents-views': [
    'Mum says she has been struggling since the move and wants help with mornings and money.',
    'Dad feels the school only calls when something is wrong; he wants to work with them.',
    'Mum agrees the children need routines and would like to join a parenting group.',
  ],
  analysis: [
    'Attendance has fallen and the children arrive late and hungry. Mum is low and finding the bills hard. With support for routines, money and mum’s health, things should improve.',
    'Worries about arguments at home and the effect on the children. The family want help and are open with us; early help with a family support worker fits.',
  ],
  other: [
    'Doing well most of the time; some worries this term.',
    'No concerns raised by the family or the school.',
    'The family would like help with this; it is improving slowly.',
    'Seen regularly; growth and development as expected.',
  ],
};

/** Answers for a section from its own questions: what a practitioner would write or pick. */
export function sampleAnswers(section: TemplateSection, random: Faker, before: string): Answers {
  const answers: Answers = {};
  for (const q of section.questions) {
    if (!q.required && random.datatype.boolean(0.3)) continue;
    answers[q.id] = sampleAnswer(q, section.role ?? 'other', random, before);
  }
  return answers;
}

function sampleAnswer(q: TemplateQuestion, role: string, random: Faker, before: string): AnswerValue {
  switch (q.type) {
    case 'text':
      return random.helpers
        .arrayElement(SAYINGS[role] ?? SAYINGS.other!)
        .slice(0, q.size === 'short' ? 500 : 10_000);
    case 'choice':
      return q.multiple
        ? random.helpers.arrayElements(
            q.options.map((o) => o.value),
            { min: 1, max: 2 },
          )
        : random.helpers.arrayElement(q.options).value;
    case 'scale':
      return random.number.int({ min: q.min, max: q.max });
    case 'date':
      return q.when === 'future'
        ? addDays(before, random.number.int({ min: 7, max: 60 }))
        : addDays(before, -random.number.int({ min: 7, max: 300 }));
    case 'rows':
      return Array.from({ length: random.number.int({ min: 1, max: 2 }) }, () =>
        Object.fromEntries(
          q.columns.map((c) => [
            c.id,
            c.type === 'date'
              ? addDays(before, -random.number.int({ min: 7, max: 300 }))
              : c.type === 'choice'
                ? random.helpers.arrayElement(c.options).value
                : random.helpers.arrayElement([
                    'Grandmother',
                    'Family support worker',
                    'School nurse',
                    'Neighbour',
                  ]),
          ]),
        ),
      );
  }
}

export async function seedAssessments(
  db: Db,
  partnershipId: string,
  options: { now: Date; seed?: number },
): Promise<AssessmentSeedCounts> {
  const registry = loadTemplates();
  const random = new Faker({ locale: base });
  random.seed((options.seed ?? 1) + 67);
  const { jurisdiction } = await db
    .selectFrom('partnerships')
    .select('jurisdiction')
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  const subjects = await assessmentSubjects(db, partnershipId);
  const today = londonDate(options.now);
  const rows = {
    assessments: [] as NewRow<'assessments'>[],
    sections: [] as NewRow<'assessmentSections'>[],
    contributions: [] as NewRow<'assessmentContributions'>[],
  };
  for (const subject of subjects) {
    const startedOn = subject.planId
      ? addDays(subject.startedOn, -random.number.int({ min: 5, max: 15 }))
      : subject.startedOn;
    const template = templateFor(registry, jurisdiction, subject.child, startedOn);
    if (!template) continue;
    const finished = subject.planId !== null;
    const id = random.string.uuid();
    const built = answerSections(template, subject, random, {
      partnershipId,
      assessmentId: id,
      startedOn,
      today,
      finished,
    });
    if (!built) continue;
    const finishedAt = finished ? atNoon(subject.startedOn) : null;
    rows.assessments.push({
      partnershipId,
      id,
      personId: subject.child.id,
      planId: subject.planId,
      episodeId: subject.episodeId,
      templateId: template.id,
      templateVersion: template.version,
      status: finished ? 'finished' : 'draft',
      startedAt: atNoon(startedOn),
      startedBy: subject.lead.id,
      finishedAt,
      finishedBy: finished ? subject.lead.id : null,
      outcome: finished ? 'needs_met' : null,
      outcomeReason: finished ? 'Early help with a team around the family; a family plan agreed.' : null,
      familySummary: finished
        ? 'We talked with you and the children about what is going well and what is hard. We agreed to work together on school mornings, money worries and support for mum. Your lead professional will keep in touch and we will meet every eight weeks.'
        : '',
      updatedAt: finishedAt ?? atNoon(startedOn),
    });
    rows.sections.push(...built.sections);
    rows.contributions.push(...built.contributions);
  }
  await db.transaction().execute(async (tx) => {
    for (const [table, all] of [
      ['assessments', rows.assessments],
      ['assessmentSections', rows.sections],
      ['assessmentContributions', rows.contributions],
    ] as const) {
      for (let i = 0; i < all.length; i += 500)
        await tx
          .insertInto(table)
          .values(all.slice(i, i + 500))
          .execute();
    }
  });
  return {
    finished: rows.assessments.filter((a) => a.status === 'finished').length,
    drafts: rows.assessments.filter((a) => a.status === 'draft').length,
    sections: rows.sections.length,
  };
}

function templateFor(
  registry: TemplateRegistry,
  jurisdiction: string,
  child: Person,
  on: string,
): Template | null {
  return registry.recommended(templateJurisdiction(jurisdiction), ageBandOn(child, on));
}

/**
 * Every section of a finished assessment (a draft: the first few), each saved by a team member its
 * sector allows, the lead first; null when some required section has nobody who may answer it.
 */
function answerSections(
  template: Template,
  subject: Subject,
  random: Faker,
  at: { partnershipId: string; assessmentId: string; startedOn: string; today: string; finished: boolean },
) {
  const sections: NewRow<'assessmentSections'>[] = [];
  const contributions: NewRow<'assessmentContributions'>[] = [];
  const chosen = at.finished
    ? template.sections
    : template.sections.slice(0, random.number.int({ min: 1, max: 4 }));
  const last = at.finished ? addDays(subject.startedOn, -1) : at.today;
  for (const section of chosen) {
    // A section for named sectors goes to a team member of that sector (the school for education),
    // so the demo shows several agencies contributing; the lead answers the rest.
    const allowed = (w: Worker) => section.contributors === 'any' || section.contributors.includes(w.sector);
    const specialist = subject.team.find((w) => section.contributors !== 'any' && allowed(w));
    const by = specialist ?? [subject.lead, ...subject.team].find(allowed);
    if (!by) {
      if (at.finished && section.required) return null;
      continue;
    }
    const answers = sampleAnswers(section, random, at.startedOn);
    const savedOn =
      at.startedOn < last
        ? addDays(
            at.startedOn,
            random.number.int({ min: 0, max: Math.max(0, daysBetween(at.startedOn, last)) }),
          )
        : at.startedOn;
    const savedAt = atNoon(savedOn > last ? last : savedOn);
    sections.push({
      partnershipId: at.partnershipId,
      assessmentId: at.assessmentId,
      sectionId: section.id,
      answers: JSON.stringify(answers),
      notRecordedReason: null,
      updatedAt: savedAt,
      updatedBy: by.id,
    });
    contributions.push({
      partnershipId: at.partnershipId,
      assessmentId: at.assessmentId,
      sectionId: section.id,
      userId: by.id,
      organisationId: by.organisationId,
      at: savedAt,
      answers: JSON.stringify(answers),
      notRecordedReason: null,
    });
  }
  return { sections, contributions };
}

/** Early-help plans (the assessment that led to each) and open statutory assessments without a plan. */
async function assessmentSubjects(db: Db, partnershipId: string): Promise<Subject[]> {
  const worker = (alias: string) => sql`json_build_object('id', ${sql.ref(`${alias}.id`)}, 'organisationId',
    ${sql.ref(`${alias}.organisation_id`)}, 'sector', (select o.sector from organisations o
    where o.partnership_id = ${sql.ref(`${alias}.partnership_id`)} and o.id = ${sql.ref(`${alias}.organisation_id`)}))`;
  const { rows } = await sql<Subject>`
    select p.id as "planId", p.episode_id as "episodeId", p.started_on::text as "startedOn",
      (select json_build_object('id', c.id, 'dateOfBirth', c.date_of_birth, 'expectedDate', c.expected_date)
        from plan_children pc join people c on c.partnership_id = pc.partnership_id and c.id = pc.person_id
        where pc.partnership_id = p.partnership_id and pc.plan_id = p.id order by pc.added_on, c.id limit 1) as child,
      (select ${worker('u')} from users u where u.partnership_id = p.partnership_id and u.id = p.lead_professional_id) as lead,
      coalesce((select json_agg(${worker('u')} order by m.joined_at) from plan_members m
        join users u on u.partnership_id = m.partnership_id and u.id = m.user_id
        where m.partnership_id = p.partnership_id and m.plan_id = p.id and m.user_id <> p.lead_professional_id), '[]') as team
    from plans p
    where p.partnership_id = ${partnershipId} and p.kind = 'early_help'
    union all
    select null, e.id, to_char(e.opened_at at time zone 'Europe/London', 'YYYY-MM-DD'),
      json_build_object('id', c.id, 'dateOfBirth', c.date_of_birth, 'expectedDate', c.expected_date),
      (select ${worker('u')} from users u where u.partnership_id = e.partnership_id and u.id = e.lead_professional_id),
      '[]'::json
    from episodes e
    join people c on c.partnership_id = e.partnership_id and c.id = e.person_id
    where e.partnership_id = ${partnershipId} and e.kind = 'statutory_assessment' and e.status = 'open'
      and e.lead_professional_id is not null
      and not exists (select 1 from plans p where p.partnership_id = e.partnership_id and p.episode_id = e.id)
    order by 3, 1`.execute(db);
  return rows;
}

function atNoon(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}
