import { z } from 'zod';
import type { Ctx } from '../../common/context.ts';
import { requirePerson } from '../../common/context.ts';
import { ConflictError } from '../../common/errors.ts';
import { requiredText } from '../../common/text-fields.ts';
import type { Db, Tx } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';

/**
 * The partnership's settings for signals and flags: whom a clinician checking a flag should call
 * (the council and its office-hours and out-of-hours numbers), how long an alert may wait before it
 * escalates, the school attendance below which a feed row is a signal, and whether checks from
 * scheduled care tell the child's social worker.
 */
export type SignalSettings = {
  councilName: string;
  officeHoursPhone: string;
  outOfHoursPhone: string;
  escalationHours: number;
  attendanceThreshold: number;
  notifyScheduledCare: boolean;
  version: number;
};

/** A partnership that never saved its settings has the table's defaults (migration 0016). */
const DEFAULTS: SignalSettings = {
  councilName: '',
  officeHoursPhone: '',
  outOfHoursPhone: '',
  escalationHours: 24,
  attendanceThreshold: 90,
  notifyScheduledCare: false,
  version: 1,
};

const COLUMNS = [
  'councilName',
  'officeHoursPhone',
  'outOfHoursPhone',
  'escalationHours',
  'attendanceThreshold',
  'notifyScheduledCare',
  'version',
] as const;

/** The partnership's settings, or the defaults when it has saved none. Reading never writes. */
export async function signalSettingsOf(db: Db | Tx, partnershipId: string): Promise<SignalSettings> {
  const row = await db
    .selectFrom('signalSettings')
    .select(COLUMNS)
    .where('partnershipId', '=', partnershipId)
    .executeTakeFirst();
  return row ?? DEFAULTS;
}

const CONFLICT = 'Someone else changed these settings: check them as they are now and save again';

const version = z.coerce.number({ error: 'The page is out of date: reload it' }).int().positive();

/** A telephone number as people write one: digits, spaces, a leading + and brackets, e.g. (01632) 960 001. */
const phone = (label: string) =>
  requiredText(`Enter the ${label}`, 40, `The ${label}`).superRefine((value, ctx) => {
    if (!/^[0-9 +()]+$/.test(value))
      ctx.addIssue({
        code: 'custom',
        message: `The ${label} can only contain numbers, spaces, + and brackets`,
      });
    else if (value.replace(/\D/g, '').length < 6)
      ctx.addIssue({ code: 'custom', message: `The ${label} must have at least 6 digits` });
  });

const wholeNumber = (label: string, min: number, max: number, unit: string) => {
  const range = `${label[0]!.toUpperCase()}${label.slice(1)} must be between ${min} and ${max} ${unit}`;
  return z.coerce
    .number({ error: `Enter ${label} as a whole number` })
    .int(`Enter ${label} as a whole number`)
    .min(min, range)
    .max(max, range);
};

export const SignalSettingsInput = z.object({
  version,
  councilName: requiredText('Enter the council’s name', 200, 'The council’s name'),
  officeHoursPhone: phone('office-hours telephone number'),
  outOfHoursPhone: phone('out-of-hours telephone number'),
  escalationHours: wholeNumber('the hours before an alert escalates', 1, 336, 'hours'),
  attendanceThreshold: wholeNumber('the attendance threshold', 50, 100, 'per cent'),
  notifyScheduledCare: z
    .enum(['yes', 'no'], { error: 'Select whether checks from scheduled care tell the social worker' })
    .transform((v) => v === 'yes'),
});
export type SignalSettingsInput = z.output<typeof SignalSettingsInput>;

/** The settings page's service: read, and save at the version the person saw. */
export class SignalSettingsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  async settings(ctx: Ctx): Promise<SignalSettings> {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signals.settings.view');
    return signalSettingsOf(this.db, partnershipId);
  }

  /** A save over someone else's (a stale version) is refused with a conflict and changes nothing. */
  async update(ctx: Ctx, input: SignalSettingsInput): Promise<void> {
    const partnershipId = await this.access.require(ctx, 'signals.rules', 'signals.settings');
    const { version: seen, ...patch } = input;
    await this.db.transaction().execute(async (tx) => {
      const current = await signalSettingsOf(tx, partnershipId);
      if (current.version !== seen) throw new ConflictError(CONFLICT);
      // The first save inserts the row; a save that loses a race to another finds no row to update.
      const saved = await tx
        .insertInto('signalSettings')
        .values({
          partnershipId,
          ...patch,
          version: seen + 1,
          updatedAt: ctx.now,
          updatedBy: requirePerson(ctx).userId,
        })
        .onConflict((oc) =>
          oc
            .column('partnershipId')
            .doUpdateSet((eb) => ({
              councilName: eb.ref('excluded.councilName'),
              officeHoursPhone: eb.ref('excluded.officeHoursPhone'),
              outOfHoursPhone: eb.ref('excluded.outOfHoursPhone'),
              escalationHours: eb.ref('excluded.escalationHours'),
              attendanceThreshold: eb.ref('excluded.attendanceThreshold'),
              notifyScheduledCare: eb.ref('excluded.notifyScheduledCare'),
              updatedAt: eb.ref('excluded.updatedAt'),
              updatedBy: eb.ref('excluded.updatedBy'),
              version: eb.ref('excluded.version'),
            }))
            .where('signalSettings.version', '=', seen),
        )
        .returning('version')
        .executeTakeFirst();
      if (!saved) throw new ConflictError(CONFLICT);
      await this.audit.record(tx, ctx, {
        action: 'signals.settings',
        subjectType: 'signal_settings',
        subjectId: partnershipId,
        detail: { ...patch, version: saved.version },
      });
    });
  }
}

/** The demo partnership's council and its numbers. */
export async function seedSignalSettings(db: Db | Tx, partnershipId: string): Promise<void> {
  await db
    .insertInto('signalSettings')
    .values({
      partnershipId,
      councilName: 'Northbridge Council',
      officeHoursPhone: '0300 123 4567',
      outOfHoursPhone: '0300 123 9999',
    })
    .onConflict((oc) => oc.column('partnershipId').doNothing())
    .execute();
}
