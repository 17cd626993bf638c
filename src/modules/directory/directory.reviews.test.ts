import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.ts';
import { buildEditorWorld, type EditorWorld } from '../../../test/helpers/directory-editors.ts';
import { TEST_NOW } from '../../../test/helpers/context.ts';
import { remindStaleEntries, scheduleReviewReminders } from './directory.reviews.ts';

const DAY = 86_400_000;

describe('reminders for entries not reviewed in 6 months', () => {
  let database: TestDatabase;
  let w: EditorWorld;
  beforeAll(async () => {
    database = await createTestDatabase();
    w = await buildEditorWorld(database.db);
  }, 60_000);
  afterAll(() => database.close());

  const remindersFor = (serviceId: string) =>
    database.db
      .selectFrom('notifications')
      .select(['userId', 'kind', 'message', 'link', 'createdAt'])
      .where('link', '=', `/directory/entries/${serviceId}/edit`)
      .orderBy('createdAt')
      .execute();

  it('tells each editor of the owning agency once, and not again within 30 days', async () => {
    const stale = await w.entry(w.orgs.charity, { name: 'Toy library', assuredDate: '2025-08-01' });
    const fresh = await w.entry(w.orgs.charity, { name: 'Baby group', assuredDate: '2025-12-01' });
    const closed = await w.entry(w.orgs.charity, { assuredDate: '2024-01-01', status: 'inactive' });

    const first = await remindStaleEntries(database.db, TEST_NOW);
    expect(first.notifications).toBeGreaterThanOrEqual(2);
    const sent = await remindersFor(stale.id);
    expect(sent.map((n) => n.userId).sort()).toEqual([w.users.editor.id, w.users.secondEditor.id].sort());
    expect(sent[0]).toMatchObject({ kind: 'directory_review_due' });
    expect(sent[0]!.message).toContain('Toy library');
    expect(sent[0]!.message).toContain('1 August 2025');
    expect(await remindersFor(fresh.id)).toEqual([]);
    expect(await remindersFor(closed.id)).toEqual([]);

    await remindStaleEntries(database.db, new Date(TEST_NOW.getTime() + 29 * DAY));
    expect(await remindersFor(stale.id)).toHaveLength(2);
    await remindStaleEntries(database.db, new Date(TEST_NOW.getTime() + 31 * DAY));
    expect(await remindersFor(stale.id)).toHaveLength(4);
  });

  it('falls back to the partnership’s administrators when no agency runs the entry, or it has no editors', async () => {
    const nobodys = await w.entry(null, { assuredDate: '2025-01-01' });
    const councils = await w.entry(w.orgs.council, { assuredDate: '2025-01-01' });
    const elsewhere = await w.entry(null, { assuredDate: '2025-01-01' }, w.otherPartnershipId);
    await remindStaleEntries(database.db, TEST_NOW);
    expect((await remindersFor(nobodys.id)).map((n) => n.userId)).toEqual([w.users.admin.id]);
    expect((await remindersFor(councils.id)).map((n) => n.userId)).toEqual([w.users.admin.id]);
    // Another partnership with no administrator: nobody to tell, nothing written.
    expect(await remindersFor(elsewhere.id)).toEqual([]);
  });

  it('becomes fresh again once reviewed', async () => {
    const record = await w.entry(w.orgs.school, { assuredDate: '2025-03-01' });
    await database.db
      .updateTable('directoryServices')
      .set({ assuredDate: '2026-03-01' })
      .where('id', '=', record.id)
      .execute();
    await remindStaleEntries(database.db, TEST_NOW);
    expect(await remindersFor(record.id)).toEqual([]);
  });

  it('runs on a timer that logs its result and survives a failure', async () => {
    const log = { info: vi.fn(), error: vi.fn() };
    const failing = {
      transaction: () => {
        throw new Error('down');
      },
    } as never;
    const broken = scheduleReviewReminders(failing, log, () => TEST_NOW, 60_000);
    // Selecting from a fake database fails: logged, not thrown.
    await broken.stop();
    expect(log.error).toHaveBeenCalledTimes(1);
    const working = scheduleReviewReminders(database.db, log, () => TEST_NOW, 60_000);
    await working.stop();
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(log.info.mock.calls[0]![1]).toBe('directory review reminders sent');
  });
});
