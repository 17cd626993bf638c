import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { addMonths, londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import { GroupedWrites } from './signals.flags.writes.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import { normaliseText } from '../people/index.ts';
import type { CheckSetting, FlagCheckInput, FlagQuery } from './signals.flags.schemas.ts';
import * as store from './signals.flags.store.ts';
import { signalSettingsOf, type SignalSettings } from './signals.settings.ts';

/**
 * Flags for unscheduled care. A child on a child protection plan or looked after (an unborn child on
 * a protection plan too) carries a flag, derived from the plan's stages; one whose plan ended in the
 * last 12 months still shows it, with its end date. A clinician with the flag-check role sees only
 * the flag's type, its dates and whom to call, never who the child is known to or why. Each check is
 * kept and audited, and tells the child's lead professional, unless it came from scheduled care and
 * the partnership has chosen not to be told of those.
 */

export type FlagType = 'child_protection' | 'unborn_child_protection' | 'looked_after';

export const FLAG_TYPE_LABELS: Record<FlagType, string> = {
  child_protection: 'Child protection plan',
  unborn_child_protection: 'Unborn child protection plan',
  looked_after: 'Looked after child',
};

export type Flag = { type: FlagType; startedOn: string; endedOn: string | null; active: boolean };

/** Whom a clinician calls about a flag. */
export type FlagContacts = Pick<SignalSettings, 'councilName' | 'officeHoursPhone' | 'outOfHoursPhone'>;

/**
 * What a check answers. `flags` when it found a child (whose flags may be none: the page says "No
 * flag" either way, so a check never tells whether the child is known); `ambiguous` when a name and
 * date of birth fit more than one child (the clinician is asked for the NHS number, never shown them).
 */
export type FlagCheckResult =
  { outcome: 'flags'; flags: Flag[]; contacts: FlagContacts } | { outcome: 'ambiguous' };

export type CheckMethod = 'nhs_number' | 'name_and_birth_date' | 'fhir';

/** A flag stays on show for 12 months after it ends. */
const endedSince = (ctx: Ctx) => addMonths(londonDate(ctx.now), -12);

const timeOfDay = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});
const dayOfYear = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});

const CHECKED_FROM: Record<CheckSetting, string> = {
  unscheduled: 'An emergency department clinician',
  scheduled: 'A scheduled-care clinician',
};

function flagOf(row: store.FlagRow): Flag | null {
  if (!row.planKind || !row.startedOn) return null;
  const type: FlagType =
    row.planKind === 'looked_after'
      ? 'looked_after'
      : row.personKind === 'unborn'
        ? 'unborn_child_protection'
        : 'child_protection';
  return { type, startedOn: row.startedOn, endedOn: row.endedOn, active: row.endedOn === null };
}

/** The rows of one query grouped by child: each child found, with their flags and whom to tell. */
function bySubject(rows: store.FlagRow[]) {
  const subjects = new Map<string, { row: store.FlagRow; flags: Flag[]; leadId: string | null }>();
  for (const row of rows) {
    const subject = subjects.get(row.personId) ?? { row, flags: [], leadId: null };
    const flag = flagOf(row);
    if (flag) subject.flags.push(flag);
    subject.leadId ??= row.currentLeadId;
    subjects.set(row.personId, subject);
  }
  return [...subjects.values()];
}

const contactsOf = (settings: SignalSettings): FlagContacts => ({
  councilName: settings.councilName,
  officeHoursPhone: settings.officeHoursPhone,
  outOfHoursPhone: settings.outOfHoursPhone,
});

export class FlagService {
  private readonly writes: GroupedWrites;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
  ) {
    this.writes = new GroupedWrites(db);
  }

  /**
   * A clinician's check, from the flag-check page or the FHIR API (`method` 'fhir'). Finding the
   * child takes one indexed query; the check, the notification and the audit event are written in
   * one transaction (shared with the checks that arrive meanwhile: see GroupedWrites), the audit
   * event last so the partnership's audit chain is held as briefly as possible.
   */
  async check(ctx: Ctx, input: FlagCheckInput, method: CheckMethod = input.by): Promise<FlagCheckResult> {
    const partnershipId = await this.access.require(ctx, 'flags.check', 'flag.check');
    const actor = requirePerson(ctx);
    // Three independent reads at once, each on its own pooled connection; none inside the transaction.
    const [found, settings, from] = await Promise.all([
      this.find(ctx, partnershipId, input),
      signalSettingsOf(this.db, partnershipId),
      store.organisationName(this.db, partnershipId, actor.organisationId),
    ]);
    const criteria = criteriaOf(input);
    const basis = { kind: 'flag_check', setting: input.setting, method };
    if (found === 'ambiguous') {
      await this.audit.recordAlone(ctx, {
        action: 'flag.check',
        basis,
        detail: { criteria, outcome: 'more than one child matched' },
      });
      return { outcome: 'ambiguous' };
    }
    const subjects = bySubject(found);
    const notify = input.setting === 'unscheduled' || settings.notifyScheduledCare;
    // The lead professional hears of a check that showed a flag; "No flag" tells nobody.
    const checked = subjects.map(({ row, flags, leadId }) => ({
      row,
      told: notify && flags.length > 0 ? leadId : null,
    }));
    await this.writes.write(partnershipId, async (tx) => {
      for (const { row, told } of checked) {
        if (told)
          await store.insertNotification(tx, {
            partnershipId,
            userId: told,
            kind: 'flag_check',
            personId: row.personId,
            message: `${CHECKED_FROM[input.setting]} at ${from} checked ${nameOf(row)}’s flag at ${timeOfDay.format(ctx.now)} on ${dayOfYear.format(ctx.now)}`,
            link: `/people/${row.personId}`,
            createdAt: ctx.now,
          });
        await store.insertCheck(tx, {
          partnershipId,
          personId: row.personId,
          checkedBy: actor.userId,
          organisationId: actor.organisationId,
          setting: input.setting,
          method,
          checkedAt: ctx.now,
          notifiedUserId: told,
        });
      }
      const personIds = subjects.map((s) => s.row.personId);
      await this.audit.record(tx, ctx, {
        action: 'flag.check',
        ...(personIds.length === 1 ? { subjectType: 'person', subjectId: personIds[0] } : {}),
        basis,
        personIds,
        detail: {
          criteria,
          outcome: subjects.length === 0 ? 'no child found' : 'checked',
          flags: subjects.reduce((n, s) => n + s.flags.length, 0),
          notified: checked.filter((c) => c.told).length,
        },
      });
    });
    return { outcome: 'flags', flags: subjects.flatMap((s) => s.flags), contacts: contactsOf(settings) };
  }

  /** A child's flag for those working with them: the flag, whom a clinician is told to call, and the last 25 checks. */
  async flagOf(ctx: Ctx, personId: string) {
    return this.gate.read(ctx, personId, 'flag.view', async (access) => {
      const { tx, partnershipId } = access;
      const rows = await store.flagRows(
        tx,
        partnershipId,
        store.matchedById(partnershipId, personId),
        endedSince(ctx),
      );
      const [subject] = bySubject(rows.filter((r) => r.personId === personId));
      const settings = await signalSettingsOf(tx, partnershipId);
      const checks = await store.recentChecks(tx, partnershipId, personId);
      return {
        value: {
          name: subject ? nameOf(subject.row) : null,
          flags: subject?.flags ?? [],
          contacts: contactsOf(settings),
          checks,
        },
        detail: { checksShown: checks.length },
      };
    });
  }

  /** The children a query finds, with their flags; 'ambiguous' when a name and birth date fit several. */
  private async find(
    ctx: Ctx,
    partnershipId: string,
    query: FlagQuery,
  ): Promise<store.FlagRow[] | 'ambiguous'> {
    if (query.by === 'nhs_number')
      return store.flagRows(
        this.db,
        partnershipId,
        store.matchedByNhsNumber(partnershipId, query.nhsNumber),
        endedSince(ctx),
      );
    const family = normaliseText(query.familyName);
    const given = normaliseText(query.givenName);
    const born = await store.childrenBornOn(this.db, partnershipId, query.dateOfBirth);
    const matches = born.filter(
      (p) => normaliseText(p.familyName) === family && normaliseText(p.givenName ?? '') === given,
    );
    if (matches.length > 1) return 'ambiguous';
    if (matches.length === 0) return [];
    return store.flagRows(
      this.db,
      partnershipId,
      store.matchedById(partnershipId, matches[0]!.id),
      endedSince(ctx),
    );
  }
}

function nameOf(row: Pick<store.FlagRow, 'givenName' | 'familyName'>): string {
  return `${row.givenName ?? 'Unborn baby'} ${row.familyName}`;
}

/** What was searched, for the audit trail, as a person search records its criteria. */
function criteriaOf(query: FlagQuery) {
  return query.by === 'nhs_number'
    ? { nhsNumber: query.nhsNumber }
    : { familyName: query.familyName, givenName: query.givenName, dateOfBirth: query.dateOfBirth };
}
