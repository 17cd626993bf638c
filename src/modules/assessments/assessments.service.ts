import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { londonDate } from '../../common/plain-dates.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { Row } from '../../db/schema.ts';
import type { AccessGate, AccessService, GateOutcome, PersonAccess } from '../access/index.ts';
import { SECTOR_LABELS } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { FrontDoorService } from '../referrals/index.ts';
import { referralsSchemas } from '../referrals/index.ts';
import { fieldErrors } from '../../web/forms.ts';
import {
  answeredQuestions,
  changedQuestions,
  checkAnswers,
  finishProblems,
  readSectionForm,
  sectionStatus,
  SECTION_STATUS_LABELS,
  type Answers,
} from './assessments.answers.ts';
import {
  FinishInput,
  NotRecordedReason,
  OUTCOME_LABELS,
  Version,
  type SaveSectionInput,
  type StartInput,
} from './assessments.schemas.ts';
import * as store from './assessments.store.ts';
import {
  AGE_BAND_LABELS,
  ageBandOn,
  loadTemplates,
  templateJurisdiction,
  type Template,
  type TemplateRegistry,
  type TemplateSection,
} from './assessments.template.ts';

/** An assessment opened through the access gate, with the template it was started on. */
type Scope = {
  tx: Tx;
  access: PersonAccess;
  partnershipId: string;
  assessment: Row<'assessments'>;
  template: Template;
};

type Saved = Map<string, { answers: Answers; notRecordedReason: string | null }>;

const joinWords = (words: string[]) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/**
 * The integrated assessment: started on a versioned template for a child, answered section by
 * section by practitioners of several agencies (each save kept, attributed), then finished with one
 * outcome; a referral onward becomes a contact at the front door. Every read and change goes through
 * the access gate on the child, which audits it in the same transaction.
 */
export class AssessmentService {
  /** The shipped templates, checked once: a broken one stops the application starting. */
  readonly templates: TemplateRegistry = loadTemplates();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly frontDoor: FrontDoorService,
  ) {}

  /** What the start page offers for a child: the template that fits first, every other one after. */
  async startOptions(ctx: Ctx, personId: string) {
    await this.access.require(ctx, 'plans.contribute', 'assessment.start-form');
    return this.gate.read(ctx, personId, 'assessment.start-form', async (access) => {
      const [person, jurisdiction, links] = await Promise.all([
        store.findPerson(access.tx, access.partnershipId, personId),
        store.jurisdictionOf(access.tx, access.partnershipId),
        store.linksFor(access.tx, access.partnershipId, personId),
      ]);
      const startOn = londonDate(ctx.now);
      const ageBand = ageBandOn(person, startOn);
      const recommended = this.templates.recommended(templateJurisdiction(jurisdiction), ageBand);
      const others = this.templates.latest().filter((t) => t !== recommended);
      return {
        value: {
          person,
          startOn,
          ageBand,
          ageBandLabel: ageBand ? AGE_BAND_LABELS[ageBand] : null,
          templates: recommended ? [recommended, ...others] : others,
          recommended,
          ...links,
        },
      };
    });
  }

  /** Starts an assessment on a template version, which it keeps for good. */
  async start(ctx: Ctx, input: StartInput): Promise<{ id: string; number: string }> {
    const actor = requirePerson(ctx);
    await this.access.require(ctx, 'plans.contribute', 'assessment.start');
    return this.gate.change(ctx, input.personId, 'assessment.start', async (access) => {
      const template = this.templates.get(input.templateId, input.templateVersion);
      const problems = [];
      if (!template)
        problems.push({
          field: 'template',
          message: `There is no assessment template “${input.templateId}” version ${input.templateVersion}: choose one from the list`,
        });
      const links = await store.linksFor(access.tx, access.partnershipId, input.personId);
      if (input.planId && !links.plans.some((p) => p.id === input.planId))
        problems.push({ field: 'planId', message: 'Choose a plan this child is on now' });
      if (input.episodeId && !links.episodes.some((e) => e.id === input.episodeId))
        problems.push({ field: 'episodeId', message: 'Choose an open episode of this child' });
      if (problems.length) throw new ValidationError(problems);
      const made = await store.insertAssessment(access.tx, {
        partnershipId: access.partnershipId,
        personId: input.personId,
        planId: input.planId ?? null,
        episodeId: input.episodeId ?? null,
        templateId: input.templateId,
        templateVersion: input.templateVersion,
        startedAt: ctx.now,
        startedBy: actor.userId,
        updatedAt: ctx.now,
      });
      return {
        value: { id: made.id, number: String(made.number) },
        detail: {
          assessmentId: made.id,
          templateId: input.templateId,
          templateVersion: input.templateVersion,
        },
      };
    });
  }

  /** The assessment's page: each section with its status and who has contributed. */
  async overview(ctx: Ctx, assessmentId: string) {
    return this.withAssessment(ctx, assessmentId, 'assessment.view', 'read', async (s) => {
      const [person, rows, contributors, organisation] = await Promise.all([
        store.findPerson(s.tx, s.partnershipId, s.assessment.personId),
        store.sectionsOf(s.tx, s.partnershipId, assessmentId),
        store.contributorsOf(s.tx, s.partnershipId, assessmentId),
        this.actorOrganisation(s.tx, ctx),
      ]);
      const saved = savedOf(rows);
      const sections = s.template.sections.map((section) => {
        const status = sectionStatus(section, saved.get(section.id));
        return {
          id: section.id,
          title: section.title,
          required: section.required,
          role: section.role,
          status,
          statusLabel: SECTION_STATUS_LABELS[status],
          mayContribute: mayContribute(section, organisation.sector),
          contributors: contributors.filter((c) => c.sectionId === section.id),
        };
      });
      return {
        value: {
          ...(await this.described(s)),
          person,
          sections,
          missing: s.assessment.status === 'draft' ? finishProblems(s.template, saved) : [],
        },
      };
    });
  }

  /** One section: its questions, its saved answers and who saved them, and whether this person may save. */
  async section(ctx: Ctx, assessmentId: string, sectionId: string) {
    return this.withAssessment(ctx, assessmentId, 'assessment.section.view', 'read', async (s) => {
      const section = sectionOf(s.template, sectionId);
      const [person, rows, contributors, organisation] = await Promise.all([
        store.findPerson(s.tx, s.partnershipId, s.assessment.personId),
        store.sectionsOf(s.tx, s.partnershipId, assessmentId),
        store.contributorsOf(s.tx, s.partnershipId, assessmentId),
        this.actorOrganisation(s.tx, ctx),
      ]);
      const saved = rows.find((r) => r.sectionId === sectionId);
      const answers = (saved?.answers ?? {}) as Answers;
      const status = sectionStatus(section, saved && { answers, notRecordedReason: saved.notRecordedReason });
      return {
        value: {
          ...(await this.described(s)),
          person,
          section,
          saved: saved
            ? {
                answers,
                notRecordedReason: saved.notRecordedReason,
                version: saved.version,
                updatedAt: saved.updatedAt,
                updatedByName: saved.updatedByName,
                shown: answeredQuestions(section, answers),
              }
            : null,
          version: saved?.version ?? 0,
          status,
          statusLabel: SECTION_STATUS_LABELS[status],
          contributors: contributors.filter((c) => c.sectionId === sectionId),
          mayContribute: mayContribute(section, organisation.sector),
          whoMayContribute: whoMayContribute(section),
          canRecordReason: section.role === 'child-voice' || section.role === 'parents-views',
        },
        detail: { sectionId },
      };
    });
  }

  /**
   * Saves a section over the version the person saw. Answers are checked by type whatever the state
   * of the draft; a practitioner from a sector the section does not take is refused; the save is kept
   * as a contribution in the person's name and agency.
   */
  async saveSection(ctx: Ctx, assessmentId: string, sectionId: string, input: SaveSectionInput) {
    const actor = requirePerson(ctx);
    return this.withAssessment(ctx, assessmentId, 'assessment.section.save', 'change', async (s) => {
      const section = sectionOf(s.template, sectionId);
      if (s.assessment.status === 'finished')
        throw new ConflictError('This assessment is finished, so it can no longer be changed');
      const organisation = await this.actorOrganisation(s.tx, ctx);
      if (!mayContribute(section, organisation.sector))
        throw new ForbiddenError(
          `Only practitioners from ${whoMayContribute(section)} can fill in “${section.title}”. You can read it, and add what you know to the other sections.`,
        );
      const version = Version.safeParse(input.version);
      const reason = NotRecordedReason.safeParse(input.notRecordedReason ?? undefined);
      const raw = 'form' in input ? readSectionForm(section, input.form) : input.answers;
      const checked = checkAnswers(section, raw, londonDate(ctx.now));
      const problems = [
        ...(version.success ? [] : [{ field: 'version', message: version.error.issues[0]!.message }]),
        ...(reason.success
          ? []
          : fieldErrors(reason.error).map((e) => ({ ...e, field: 'notRecordedReason' }))),
        ...checked.problems,
      ];
      const notRecordedReason = reason.success ? reason.data : null;
      if (notRecordedReason && section.role !== 'child-voice' && section.role !== 'parents-views')
        problems.push({
          field: 'notRecordedReason',
          message: 'Only the child’s own words and the parents’ views can be marked as not recorded',
        });
      if (problems.length || !version.success) throw new ValidationError(problems);

      const key = { partnershipId: s.partnershipId, assessmentId, sectionId };
      const current = await store.lockSection(s.tx, s.partnershipId, assessmentId, sectionId);
      const fields = {
        answers: JSON.stringify(checked.answers),
        notRecordedReason,
        updatedAt: ctx.now,
        updatedBy: actor.userId,
      };
      const saved =
        current === undefined && version.data === 0
          ? await store.insertSection(s.tx, { ...key, ...fields })
          : current !== undefined && current.version === version.data
            ? await store.updateSection(s.tx, key, version.data, fields)
            : false;
      if (!saved) throw await this.sectionConflict(s, sectionId);
      await store.insertContribution(s.tx, {
        ...key,
        userId: actor.userId,
        organisationId: actor.organisationId,
        at: ctx.now,
        answers: JSON.stringify(checked.answers),
        notRecordedReason,
      });
      await store.touchAssessment(s.tx, s.partnershipId, assessmentId, ctx.now);
      const status = sectionStatus(section, { answers: checked.answers, notRecordedReason });
      return {
        value: { status, version: version.data + 1 },
        detail: { sectionId, status, questions: Object.keys(checked.answers) },
      };
    });
  }

  /** Everything saved on the assessment, newest first: who, for which agency, when, what changed. */
  async history(ctx: Ctx, assessmentId: string) {
    return this.withAssessment(ctx, assessmentId, 'assessment.history', 'read', async (s) => {
      const [person, contributions] = await Promise.all([
        store.findPerson(s.tx, s.partnershipId, s.assessment.personId),
        store.contributionsOf(s.tx, s.partnershipId, assessmentId),
      ]);
      const before = new Map<string, Answers>();
      const entries = contributions.map((c) => {
        const section = s.template.sections.find((x) => x.id === c.sectionId);
        const answers = c.answers as Answers;
        const changed = section ? changedQuestions(section, before.get(c.sectionId) ?? {}, answers) : [];
        before.set(c.sectionId, answers);
        return {
          id: c.id,
          at: c.at,
          userName: c.userName,
          organisationName: c.organisationName,
          sectionId: c.sectionId,
          sectionTitle: section?.title ?? c.sectionId,
          changed,
          notRecordedReason: c.notRecordedReason,
        };
      });
      return { value: { ...(await this.described(s)), person, entries: entries.reverse() } };
    });
  }

  /** The finish page: what still stops finishing, and the questions the person's sector is asked on a referral. */
  async finishPage(ctx: Ctx, assessmentId: string) {
    return this.withAssessment(ctx, assessmentId, 'assessment.finish.view', 'read', async (s) => {
      const [person, rows, organisation] = await Promise.all([
        store.findPerson(s.tx, s.partnershipId, s.assessment.personId),
        store.sectionsOf(s.tx, s.partnershipId, assessmentId),
        this.actorOrganisation(s.tx, ctx),
      ]);
      return {
        value: {
          ...(await this.described(s)),
          person,
          missing: finishProblems(s.template, savedOf(rows)),
          prompts: referralsSchemas.SECTOR_PROMPTS[organisation.sector] ?? [],
        },
      };
    });
  }

  /**
   * Finishes the assessment over the version the person saw: every required section complete (the
   * child's words and the parents' views recorded, or why not), one outcome, a summary for the
   * family. A referral onward becomes a contact at the front door, made with a key derived from the
   * assessment, so a retry finds the contact already made rather than making a second.
   */
  async finish(
    ctx: Ctx,
    assessmentId: string,
    raw: FinishInput,
  ): Promise<{ onwardContactId: string | null }> {
    const actor = requirePerson(ctx);
    const parsed = FinishInput.safeParse(raw);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const input = parsed.data;

    let onwardContactId: string | null = null;
    if (input.outcome === 'referral_onward') {
      // The front door records the contact in its own transaction, so everything is checked first.
      const contact = await this.withAssessment(
        ctx,
        assessmentId,
        'assessment.finish.refer',
        'read',
        async (s) => {
          await this.checkFinishable(s, input.version);
          const organisation = await this.actorOrganisation(s.tx, ctx);
          return { value: await this.onwardContact(s, input, organisation.sector) };
        },
      );
      onwardContactId = await this.frontDoor
        .create(ctx, contact, { idempotencyKey: `assessment:${assessmentId}:onward-referral` })
        .then((made) => made.id)
        .catch((error: unknown) => {
          if (error instanceof ConflictError)
            throw new ConflictError(
              'A referral from this assessment reached the front door before, with different details. Ask the front door to add what has changed to that contact.',
            );
          throw error;
        });
    }
    return this.withAssessment(ctx, assessmentId, 'assessment.finish', 'change', async (s) => {
      await this.checkFinishable(s, input.version);
      const done = await store.finishAssessment(s.tx, s.partnershipId, assessmentId, input.version, {
        finishedAt: ctx.now,
        finishedBy: actor.userId,
        outcome: input.outcome,
        outcomeReason: input.outcomeReason,
        familySummary: input.familySummary,
        onwardContactId,
        updatedAt: ctx.now,
      });
      if (!done) throw changedSince();
      return {
        value: { onwardContactId },
        detail: { outcome: input.outcome, onwardContactId },
      };
    });
  }

  /** The plain-language summary for the family: what we found, their words, their resources, what next. */
  async summary(ctx: Ctx, assessmentId: string) {
    return this.withAssessment(ctx, assessmentId, 'assessment.summary', 'read', async (s) => {
      const [person, rows] = await Promise.all([
        store.findPerson(s.tx, s.partnershipId, s.assessment.personId),
        store.sectionsOf(s.tx, s.partnershipId, assessmentId),
      ]);
      const saved = savedOf(rows);
      const part = (role: TemplateSection['role']) => {
        const section = s.template.sections.find((x) => x.role === role);
        if (!section) return null;
        const row = saved.get(section.id);
        return {
          title: section.title,
          shown: answeredQuestions(section, row?.answers ?? {}),
          notRecordedReason: row?.notRecordedReason ?? null,
        };
      };
      const finisher = s.assessment.finishedBy
        ? await store.userName(s.tx, s.partnershipId, s.assessment.finishedBy)
        : undefined;
      return {
        value: {
          ...(await this.described(s)),
          person,
          childsWords: part('child-voice'),
          parentsViews: part('parents-views'),
          resources: part('family-resources'),
          finisher,
        },
      };
    });
  }

  /** A child's assessments, for the list on their record. */
  async forPerson(ctx: Ctx, personId: string) {
    await this.access.require(ctx, 'plans.contribute', 'assessment.list');
    return this.gate.read(ctx, personId, 'assessment.list', async (access) => {
      const [person, rows] = await Promise.all([
        store.findPerson(access.tx, access.partnershipId, personId),
        store.assessmentsOfPerson(access.tx, access.partnershipId, personId),
      ]);
      return {
        value: { person, assessments: rows.map((r) => ({ ...r, title: this.titleOf(r) })) },
        detail: { shown: rows.length },
      };
    });
  }

  /** "My assessments": drafts the person started or contributed to, for children they work with now. */
  async mine(ctx: Ctx) {
    const actor = requirePerson(ctx);
    await this.access.require(ctx, 'plans.contribute', 'assessment.mine');
    return this.db.transaction().execute(async (tx) => {
      const rows = await store.draftsOf(tx, actor.partnershipId, actor.userId, ctx.now);
      await this.audit.record(tx, ctx, {
        action: 'assessment.mine',
        personIds: [...new Set(rows.map((r) => r.personId))],
        detail: { shown: rows.length },
      });
      return rows.map((r) => ({ ...r, title: this.titleOf(r) }));
    });
  }

  /** Opens an assessment through the gate on its child; a change locks the assessment's row. */
  private async withAssessment<T>(
    ctx: Ctx,
    assessmentId: string,
    action: string,
    mode: 'read' | 'change',
    work: (scope: Scope) => Promise<GateOutcome<T>>,
  ): Promise<T> {
    const partnershipId = await this.access.require(ctx, 'plans.contribute', action);
    const personId = await store.personOf(this.db, partnershipId, assessmentId);
    if (!personId) throw new NotFoundError('Assessment');
    const run = mode === 'read' ? this.gate.read.bind(this.gate) : this.gate.change.bind(this.gate);
    return run(ctx, personId, action, async (access) => {
      const assessment = await store.findAssessment(
        access.tx,
        partnershipId,
        assessmentId,
        mode === 'change',
      );
      if (!assessment) throw new NotFoundError('Assessment');
      const template = this.templates.get(assessment.templateId, assessment.templateVersion);
      // Released versions are kept for good; a missing one is a fault in the deployment.
      if (!template)
        throw new Error(`Template ${assessment.templateId} version ${assessment.templateVersion} is missing`);
      const outcome = await work({ tx: access.tx, access, partnershipId, assessment, template });
      return { ...outcome, detail: { assessmentId, ...outcome.detail } };
    });
  }

  /** The assessment as the pages show it: number, template, status, who started and finished it. */
  private async described(s: Scope) {
    const a = s.assessment;
    const [starter, finisher] = await Promise.all([
      store.userName(s.tx, s.partnershipId, a.startedBy),
      a.finishedBy ? store.userName(s.tx, s.partnershipId, a.finishedBy) : undefined,
    ]);
    return {
      assessment: {
        ...a,
        number: String(a.number),
        title: s.template.title,
        outcomeLabel: a.outcome ? OUTCOME_LABELS[a.outcome] : null,
        startedByName: starter?.displayName ?? '',
        startedByOrganisation: starter?.organisationName ?? '',
        finishedByName: finisher?.displayName ?? null,
        finishedByOrganisation: finisher?.organisationName ?? null,
      },
      template: s.template,
    };
  }

  private async checkFinishable(s: Scope, version: number) {
    if (s.assessment.status === 'finished')
      throw new ConflictError('This assessment is already finished, so it can no longer be changed');
    if (s.assessment.version !== version) throw changedSince();
    const rows = await store.sectionsOf(s.tx, s.partnershipId, s.assessment.id);
    const missing = finishProblems(s.template, savedOf(rows));
    if (missing.length) throw new ValidationError(missing);
  }

  /** The contact an onward referral makes: the child, the analysis's worries and what has been done. */
  private async onwardContact(
    s: Scope,
    input: ReturnType<typeof FinishInput.parse>,
    sector: keyof typeof SECTOR_LABELS,
  ) {
    const analysis = s.template.sections.find((x) => x.role === 'analysis')!;
    const row = (await store.sectionsOf(s.tx, s.partnershipId, s.assessment.id)).find(
      (r) => r.sectionId === analysis.id,
    );
    const answers = (row?.answers ?? {}) as Answers;
    const fed = (feed: 'worries' | 'actions-taken') =>
      analysis.questions
        .filter((q) => q.type === 'text' && q.feeds === feed && typeof answers[q.id] === 'string')
        .map((q) => answers[q.id] as string);
    const heading = `From ${s.template.title}, assessment ${String(s.assessment.number)}.`;
    const contact = {
      channel: 'online_form' as const,
      child: { personId: s.assessment.personId },
      worries: [heading, ...fed('worries'), `Why we are referring on: ${input.outcomeReason}`].join('\n\n'),
      actionsTaken: [
        ...fed('actions-taken'),
        'An early help assessment has been completed with the family.',
      ].join('\n\n'),
      familyAware: input.familyAware,
      consent: input.consent,
      consentReason: input.consentReason,
      urgency: input.urgency,
      sectorAnswers: input.sectorAnswers ?? {},
    };
    const parsed = referralsSchemas.ContactInput.safeParse(contact);
    const problems = [
      ...(parsed.success ? [] : fieldErrors(parsed.error)),
      ...referralsSchemas.sectorAnswerProblems(sector, input.sectorAnswers),
    ];
    if (!parsed.success || problems.length) throw new ValidationError(problems);
    return parsed.data;
  }

  private async sectionConflict(s: Scope, sectionId: string) {
    const current = await store.lockSection(s.tx, s.partnershipId, s.assessment.id, sectionId);
    const by = current ? await store.userName(s.tx, s.partnershipId, current.updatedBy) : undefined;
    return new ConflictError(
      by
        ? `${by.displayName} (${by.organisationName}) saved this section while you were working on it. Their answers are shown below and yours are still in the form: check both, then save again.`
        : 'Someone else saved this section while you were working on it: check the answers and save again.',
    );
  }

  private actorOrganisation(tx: Tx, ctx: Ctx) {
    const actor = requirePerson(ctx);
    return store.organisationOf(tx, actor.partnershipId, actor.organisationId);
  }

  private titleOf(row: { templateId: string; templateVersion: number }) {
    return this.templates.get(row.templateId, row.templateVersion)?.title ?? row.templateId;
  }
}

function changedSince() {
  return new ConflictError(
    'Someone saved part of this assessment since you opened this page: check it again before you finish',
  );
}

function sectionOf(template: Template, sectionId: string): TemplateSection {
  const section = template.sections.find((s) => s.id === sectionId);
  if (!section) throw new NotFoundError('Section');
  return section;
}

function savedOf(rows: { sectionId: string; answers: unknown; notRecordedReason: string | null }[]): Saved {
  return new Map(
    rows.map((r) => [r.sectionId, { answers: r.answers as Answers, notRecordedReason: r.notRecordedReason }]),
  );
}

function mayContribute(section: TemplateSection, sector: keyof typeof SECTOR_LABELS) {
  return section.contributors === 'any' || section.contributors.includes(sector);
}

/** "health or social care", or "any agency". */
function whoMayContribute(section: TemplateSection) {
  return section.contributors === 'any'
    ? 'any agency'
    : joinWords(section.contributors.map((s) => SECTOR_LABELS[s].toLowerCase()));
}
