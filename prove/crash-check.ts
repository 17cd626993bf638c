import { sql } from 'kysely';
import type { Db } from '../src/db/database.ts';
import { verifyChains } from '../src/modules/audit/index.ts';
import type { Ack } from './crash-writes.ts';

/**
 * What the crash harness checks after each restart: every acknowledged write is there as it was
 * acknowledged (a later edit may have moved a record on, never back), nothing is half-written, and
 * the audit chain verifies.
 */

export type Loss = { ack: Ack; reason: string };
export type CheckResult = {
  losses: Loss[];
  orphans: { name: string; rows: number }[];
  chain: string;
  chainOk: boolean;
};

/** Why an acknowledged write is missing, or null when it is there. */
async function lossOf(db: Db, ack: Ack): Promise<string | null> {
  switch (ack.kind) {
    case 'contact': {
      const found = await db
        .selectFrom('contacts')
        .select('number')
        .where('id', '=', ack.id)
        .executeTakeFirst();
      if (!found) return `contact ${ack.number} (${ack.id}) is missing`;
      return String(found.number) === ack.number
        ? null
        : `contact ${ack.id} has number ${found.number}, not ${ack.number}`;
    }
    case 'claim':
    case 'priority': {
      const found = await db
        .selectFrom('contacts')
        .select(['version', 'priority', 'claimedBy'])
        .where('id', '=', ack.contactId)
        .executeTakeFirst();
      if (!found) return `${ack.kind} of contact ${ack.contactId}: the contact is missing`;
      if (found.version < ack.version)
        return `${ack.kind} of contact ${ack.contactId}: version ${found.version}, acknowledged ${ack.version}`;
      if (!found.claimedBy) return `claim of contact ${ack.contactId}: nobody holds it`;
      if (ack.kind === 'priority' && found.version === ack.version && found.priority !== ack.priority)
        return `priority of contact ${ack.contactId}: ${found.priority}, acknowledged ${ack.priority}`;
      return null;
    }
    case 'goal': {
      const found = await db
        .selectFrom('planGoals')
        .select('id')
        .where('planId', '=', ack.planId)
        .where('title', '=', ack.title)
        .execute();
      if (found.length === 1) return null;
      // An edit may have renamed it since: its creation is then in the plan's history.
      const added = await sql<{ n: string }>`select count(*) as n from plan_events
        where plan_id = ${ack.planId} and action = 'add_goal' and detail->>'title' = ${ack.title}`.execute(
        db,
      );
      return Number(added.rows[0]!.n) === 1
        ? null
        : `goal "${ack.title}" on plan ${ack.planId}: ${found.length} rows`;
    }
    case 'goal-edit': {
      const found = await db
        .selectFrom('planGoals')
        .select(['version', 'title'])
        .where('id', '=', ack.goalId)
        .executeTakeFirst();
      if (!found) return `goal ${ack.goalId} is missing`;
      if (found.version < ack.version)
        return `goal ${ack.goalId}: version ${found.version}, acknowledged ${ack.version}`;
      if (found.version === ack.version && found.title !== ack.title)
        return `goal ${ack.goalId}: title "${found.title}", acknowledged "${ack.title}"`;
      return null;
    }
    case 'signal': {
      const found = await db
        .selectFrom('signals')
        .select('id')
        .where('personId', '=', ack.personId)
        .where('idempotencyKey', '=', ack.key)
        .execute();
      return found.length === 1 ? null : `signal ${ack.key}: ${found.length} rows`;
    }
  }
}

/** Rows one transaction writes together; a row without its partner is half a write. Harness rows only. */
const ORPHAN_QUERIES: { name: string; query: ReturnType<typeof sql<{ n: string }>> }[] = [
  {
    name: 'contacts without their create history row',
    query: sql`select count(*) as n from contacts c where c.worries like 'Harness contact%'
      and not exists (select 1 from contact_events e where e.contact_id = c.id and e.action = 'create')`,
  },
  {
    name: 'contacts without their audit event',
    query: sql`select count(*) as n from contacts c where c.worries like 'Harness contact%'
      and not exists (select 1 from audit_events a where a.partnership_id = c.partnership_id
        and a.subject_id = c.id::text and a.action = 'contact.create')`,
  },
  {
    name: 'contact history rows without their audit event (or the reverse)',
    query: sql`select count(*) as n from (
        select e.contact_id::text as id, 'contact.' || e.action as action, count(*) as k from contact_events e
          join contacts c on c.id = e.contact_id where c.worries like 'Harness contact%' group by 1, 2
      ) h full join (
        select a.subject_id as id, a.action, count(*) as k from audit_events a
          join contacts c on c.id::text = a.subject_id
          where c.worries like 'Harness contact%' and a.action like 'contact.%' and a.outcome = 'success'
          group by 1, 2
      ) a using (id, action) where h.k is distinct from a.k`,
  },
  {
    name: 'idempotency keys naming no contact',
    query: sql`select count(*) as n from idempotency_keys k where k.scope = 'contact.create'
      and not exists (select 1 from contacts c where c.id = k.result_id)`,
  },
  {
    name: 'goals without their history row',
    query: sql`select count(*) as n from plan_goals g where not exists (select 1 from plan_events e
      where e.plan_id = g.plan_id and e.action = 'add_goal' and e.detail->>'goalId' = g.id::text)
      and g.title like 'Crash goal%'`,
  },
  {
    name: 'goal history rows without their audit event (or the reverse)',
    query: sql`with harness_goals as (select detail->>'goalId' as id from plan_events
        where action = 'add_goal' and detail->>'title' like 'Crash goal%')
      select count(*) as n from (
        select e.detail->>'goalId' as id, e.action, count(*) as k from plan_events e
          where e.detail->>'goalId' in (select id from harness_goals) and e.action in ('add_goal', 'change_goal')
          group by 1, 2
      ) h full join (
        select a.detail->>'goalId' as id,
          case a.action when 'plan.goal.add' then 'add_goal' else 'change_goal' end as action, count(*) as k
          from audit_events a where a.action in ('plan.goal.add', 'plan.goal.change') and a.outcome = 'success'
          and a.detail->>'goalId' in (select id from harness_goals) group by 1, 2
      ) a using (id, action) where h.k is distinct from a.k`,
  },
  {
    name: 'signals without their audit event',
    query: sql`select count(*) as n from signals s where s.description like 'Harness signal%'
      and not exists (select 1 from audit_events a where a.partnership_id = s.partnership_id
        and a.action = 'signal.record' and s.id = any(a.item_ids))`,
  },
];

export async function checkAfterRestart(
  db: Db,
  acks: readonly Ack[],
  options: { connectionString: string },
): Promise<CheckResult> {
  const losses: Loss[] = [];
  for (const ack of acks) {
    const reason = await lossOf(db, ack);
    if (reason) losses.push({ ack, reason });
  }
  const orphans = [];
  for (const { name, query } of ORPHAN_QUERIES) {
    const { rows } = await query.execute(db);
    orphans.push({ name, rows: Number(rows[0]!.n) });
  }
  const partnerships = await db.selectFrom('partnerships').select(['id', 'slug']).execute();
  const checks = await verifyChains(
    db,
    partnerships.map((p) => p.id),
    { connectionString: options.connectionString, workers: 1 },
  );
  const chainOk = checks.every((c) => c.ok);
  const chain = checks
    .map((c, i) =>
      c.ok
        ? `${partnerships[i]!.slug}: ${c.events} events intact`
        : `${partnerships[i]!.slug}: broken at ${c.brokenAt} (${c.reason})`,
    )
    .join('; ');
  return { losses, orphans, chain, chainOk };
}
