import type { Db, Tx } from '../../db/database.ts';

type Write = { work: (tx: Tx) => Promise<void>; done: () => void; failed: (error: unknown) => void };

/**
 * Group commit for a partnership's flag checks. Every check appends to the partnership's audit chain,
 * whose lock is held until commit, so checks written one transaction each wait for each other's
 * disk flush in turn. Here, checks that arrive while a write is under way wait for it, then go
 * together in the next transaction: each check's rows and its audit event still commit together,
 * and nobody is answered before their check is on disk, but one flush serves them all. A check
 * that fails is written again alone, so it cannot take the others down with it.
 */
export class GroupedWrites {
  private readonly waiting = new Map<string, Write[]>();

  constructor(private readonly db: Db) {}

  write(partnershipId: string, work: (tx: Tx) => Promise<void>): Promise<void> {
    return new Promise((done, failed) => {
      const queue = this.waiting.get(partnershipId);
      if (queue) {
        queue.push({ work, done, failed });
        return;
      }
      this.waiting.set(partnershipId, [{ work, done, failed }]);
      void this.drain(partnershipId);
    });
  }

  private async drain(partnershipId: string) {
    for (;;) {
      const batch = this.waiting.get(partnershipId)!.splice(0);
      if (batch.length === 0) {
        this.waiting.delete(partnershipId);
        return;
      }
      try {
        await this.db.transaction().execute(async (tx) => {
          for (const write of batch) await write.work(tx);
        });
        for (const write of batch) write.done();
      } catch (error) {
        if (batch.length === 1) batch[0]!.failed(error);
        else
          for (const write of batch)
            await this.db.transaction().execute(write.work).then(write.done, write.failed);
      }
    }
  }
}
