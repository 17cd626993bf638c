import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildEditorWorld, type EditorWorld } from '../../../test/helpers/directory-editors.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors.ts';
import { AccessService } from '../access/index.ts';
import { AuditService } from '../audit/index.ts';
import { DirectoryEditorService, formValues, loadRecord } from './directory.editor.ts';
import { EntryForm } from './directory.editor.schemas.ts';
import type { ServiceRecord } from './directory.schemas.ts';

describe('directory editors', () => {
  let database: TestDatabase;
  let w: EditorWorld;
  let editors: DirectoryEditorService;
  beforeAll(async () => {
    database = await createTestDatabase();
    w = await buildEditorWorld(database.db);
    const audit = new AuditService(database.db);
    editors = new DirectoryEditorService(database.db, audit, new AccessService(database.db, audit));
  }, 60_000);
  afterAll(() => database.close());

  const row = (id: string) =>
    database.db
      .selectFrom('directoryServices')
      .select(['name', 'version', 'assuredDate', 'assuredBy', 'capacity', 'waitWeeks', 'capacityUpdatedAt'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  /** The entry's form as the page fills it, with changes: what a browser would send. */
  async function formFor(record: ServiceRecord, changes: Record<string, unknown> = {}) {
    const version = (await row(record.id)).version;
    const values = formValues(await loadRecord(database.db, w.partnershipId, record.id), version);
    return EntryForm.parse({ ...stringify(values), ...changes });
  }
  const stringify = (v: Record<string, string | number | string[]>) =>
    Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Array.isArray(x) ? x : String(x)]));

  it('lets an editor change their own organisation’s entry: saved, version bumped, reviewed today, audited', async () => {
    const record = await w.entry(w.orgs.charity, { assuredDate: '2025-01-01' });
    const form = await formFor(record, {
      name: 'Parenting group (Tuesdays)',
      needs: [w.term('parenting'), w.term('early-years')],
      postalCode: 'nb4 7qt',
      days: ['TU', 'TH'],
      opensAt: '09:30',
      closesAt: '12:00',
      contactPhone: '01632 960 123',
    });
    await editors.save(w.users.editor.ctx(), record.id, form);
    const after = await row(record.id);
    expect(after).toMatchObject({
      name: 'Parenting group (Tuesdays)',
      version: 2,
      assuredDate: '2026-03-02',
      assuredBy: w.users.editor.id,
    });
    const saved = await loadRecord(database.db, w.partnershipId, record.id);
    expect(saved.taxonomyTermIds.sort()).toEqual([w.term('parenting'), w.term('early-years')].sort());
    expect(saved.locations[0]).toMatchObject({
      id: record.locations[0]!.id,
      postalCode: 'NB4 7QT',
      latitude: 53.85,
    });
    expect(saved.schedules).toEqual([
      expect.objectContaining({
        id: record.schedules[0]!.id,
        byday: 'TU,TH',
        opensAt: '09:30:00',
        closesAt: '12:00:00',
      }),
    ]);
    expect(saved.contacts[0]).toMatchObject({
      id: record.contacts[0]!.id,
      phone: '01632 960 123',
      name: 'Reception',
    });
    const event = await database.db
      .selectFrom('auditEvents')
      .select(['action', 'actorUserId', 'detail'])
      .where('subjectId', '=', record.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.action).toBe('directory.entry.update');
    expect(event.actorUserId).toBe(w.users.editor.id);
    const changed = (event.detail as { changed: Record<string, unknown> }).changed;
    expect(changed.name).toEqual({ from: 'Parenting group', to: 'Parenting group (Tuesdays)' });
    expect(Object.keys(changed)).toEqual(
      expect.arrayContaining(['taxonomyTermIds', 'locations', 'schedules', 'contacts', 'assuredDate']),
    );
    expect(changed).not.toHaveProperty('description');
  });

  it('refuses another organisation’s entry (audited) and does not find another partnership’s', async () => {
    const schools = await w.entry(w.orgs.school);
    await expect(editors.editForm(w.users.editor.ctx(), schools.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      editors.save(w.users.editor.ctx(), schools.id, await formFor(schools)),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await row(schools.id)).version).toBe(1);
    const denied = await database.db
      .selectFrom('auditEvents')
      .select('outcome')
      .where('subjectId', '=', schools.id)
      .where('actorUserId', '=', w.users.editor.id)
      .execute();
    expect(denied.map((d) => d.outcome)).toEqual(['denied', 'denied']);
    await expect(editors.editForm(w.users.outsider.ctx(), schools.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(editors.entries(w.users.practitioner.ctx())).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('lets an administrator change any entry of the partnership, even one no agency runs', async () => {
    const nobodys = await w.entry(null);
    await editors.save(w.users.admin.ctx(), nobodys.id, await formFor(nobodys, { status: 'inactive' }));
    expect(await row(nobodys.id)).toMatchObject({ version: 2, assuredBy: w.users.admin.id });
  });

  it('refuses a save over someone else’s (a stale version) and writes nothing', async () => {
    const record = await w.entry(w.orgs.charity);
    const mine = await formFor(record, { name: 'Mine' });
    await editors.save(w.users.secondEditor.ctx(), record.id, await formFor(record, { name: 'Theirs' }));
    await expect(editors.save(w.users.editor.ctx(), record.id, mine)).rejects.toThrow(
      new ConflictError(
        'Someone else changed this entry since you opened it: check their changes and try again',
      ),
    );
    expect(await row(record.id)).toMatchObject({
      name: 'Theirs',
      version: 2,
      assuredBy: w.users.secondEditor.id,
    });
  });

  it('names the field for each bad input', async () => {
    const record = await w.entry(w.orgs.charity);
    const base = stringify(formValues(await loadRecord(database.db, w.partnershipId, record.id), 1));
    const fieldsOf = (changes: Record<string, unknown>) => {
      const parsed = EntryForm.safeParse({ ...base, ...changes });
      return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
    };
    expect(fieldsOf({ minimumAge: '12', maximumAge: '5' })).toEqual(['maximumAge']);
    expect(fieldsOf({ postalCode: 'NB4 QQQ7' })).toEqual(['postalCode']);
    expect(fieldsOf({ opensAt: '17:00', closesAt: '09:00' })).toEqual(['closesAt']);
    expect(fieldsOf({ minimumAge: 'seven' })).toEqual(['minimumAge']);
    expect(fieldsOf({ accessRoutes: ['by_magic'] })).toEqual(['accessRoutes']);
    // An unknown need is a term id that is not the partnership's: the service refuses it.
    const form = EntryForm.parse({ ...base, needs: ['00000000-0000-4000-8000-000000000000'] });
    const error = await editors.save(w.users.editor.ctx(), record.id, form).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields.map((f) => f.field)).toEqual(['needs']);
    expect((await row(record.id)).version).toBe(1);
  });

  it('adds a new entry under one of the editor’s own organisations only', async () => {
    const existing = await w.entry(w.orgs.charity);
    const schools = await w.entry(w.orgs.school);
    const blank = {
      version: '0',
      name: 'Homework club',
      description: 'Help with homework after school.',
      status: 'active',
      cost: 'free',
      kind: 'mainstream',
      languages: 'en',
      accessRoutes: 'drop_in',
      postalCode: 'NB1 2AB',
      addressLine1: '2 Mill Lane',
      days: 'WE',
    };
    const refused = await editors
      .save(
        w.users.editor.ctx(),
        null,
        EntryForm.parse({ ...blank, organizationId: schools.organization.id }),
      )
      .catch((e: unknown) => e);
    expect((refused as ValidationError).fields).toEqual([
      { field: 'organizationId', message: 'Select the organisation that runs the service' },
    ]);
    const made = await editors.save(
      w.users.editor.ctx(),
      null,
      EntryForm.parse({ ...blank, organizationId: existing.organization.id }),
    );
    const saved = await loadRecord(database.db, w.partnershipId, made.id);
    expect(saved).toMatchObject({
      name: 'Homework club',
      assuredDate: '2026-03-02',
      accessRoutes: ['drop_in'],
    });
    expect(saved.locations[0]).toMatchObject({ postalCode: 'NB1 2AB', latitude: 53.81 });
    const listed = await editors.entries(w.users.editor.ctx());
    expect(listed.map((e) => e.id)).toContain(made.id);
    expect(listed.map((e) => e.id)).not.toContain(schools.id);
  });

  it('confirms a review without other changes, at the version seen', async () => {
    const record = await w.entry(w.orgs.charity, { assuredDate: '2025-02-01' });
    await expect(
      editors.confirmReview(w.users.editor.ctx(), record.id, { version: 7 }),
    ).rejects.toBeInstanceOf(ConflictError);
    await editors.confirmReview(w.users.editor.ctx(), record.id, { version: 1 });
    expect(await row(record.id)).toMatchObject({
      name: record.name,
      version: 2,
      assuredDate: '2026-03-02',
      assuredBy: w.users.editor.id,
    });
  });

  it('lets the provider’s own staff publish capacity, and nobody from another agency', async () => {
    const record = await w.entry(w.orgs.charity);
    await editors.publishCapacity(w.users.provider.ctx(), record.id, {
      version: 1,
      capacity: 'limited',
      waitWeeks: 6,
    });
    expect(await row(record.id)).toMatchObject({
      capacity: 'limited',
      waitWeeks: 6,
      capacityUpdatedAt: TEST_NOW,
      version: 2,
    });
    await expect(
      editors.publishCapacity(w.users.practitioner.ctx(), record.id, {
        version: 2,
        capacity: 'full',
        waitWeeks: null,
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      editors.publishCapacity(w.users.analyst.ctx(), record.id, {
        version: 2,
        capacity: 'full',
        waitWeeks: null,
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      editors.publishCapacity(w.users.provider.ctx(), record.id, {
        version: 1,
        capacity: 'full',
        waitWeeks: null,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    // Editing the rest of the entry keeps the provider's figure and its date.
    const later = new Date(TEST_NOW.getTime() + 86_400_000);
    await editors.save(w.users.editor.ctx(later), record.id, await formFor(record, { name: 'Renamed' }));
    expect(await row(record.id)).toMatchObject({
      capacity: 'limited',
      capacityUpdatedAt: TEST_NOW,
      version: 3,
    });
  });

  it('counts and lists entries due for review first', async () => {
    const fresh = await w.entry(w.orgs.school, { name: 'A fresh one', assuredDate: '2026-02-01' });
    const stale = await w.entry(w.orgs.school, { name: 'Z stale one', assuredDate: '2025-06-01' });
    await w.entry(w.orgs.school, { name: 'Closed stale one', assuredDate: '2025-06-01', status: 'defunct' });
    const ctx = w.users.schoolEditor.ctx();
    const listed = await editors.entries(ctx);
    expect(listed[0]).toMatchObject({ id: stale.id, reviewDue: true });
    expect(listed.find((e) => e.id === fresh.id)?.reviewDue).toBe(false);
    expect(await editors.dueCount(ctx)).toBe(listed.filter((e) => e.reviewDue).length);
    expect(await editors.dueCount(w.users.practitioner.ctx())).toBe(0);
  });
});
