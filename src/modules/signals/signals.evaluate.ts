import { addDays, londonDate } from '../../common/plain-dates.ts';
import type { Tx } from '../../db/database.ts';
import { activeRules, type ActiveRule } from './signals.rules.store.ts';
import { evaluateRule, maxWindowDays, type RuleResult, type SignalFact } from './signals.rules.ts';

type LoadedSignal = SignalFact & { personId: string; recordedAt: Date };
type LiveAlert = { id: string; personId: string; ruleKey: string; signalIds: string[] };

/**
 * Re-evaluates the partnership's active rules for exactly these children, inside the caller's
 * transaction: a rule that holds raises an alert (or adds new signals to the child's live alert for
 * that rule), routed to the lead professional of the child's open plan, else to the front door. A
 * rule that held before someone closed its alert raises a new one only on a signal recorded since,
 * so "no action" is not undone by the same signals. Returns what changed, for the caller to audit.
 */
export async function evaluateChildren(
  tx: Tx,
  partnershipId: string,
  personIds: readonly string[],
  now: Date,
): Promise<{ raised: number; updated: number; alertedPersonIds: string[] }> {
  const outcome = { raised: 0, updated: 0, alertedPersonIds: [] as string[] };
  if (personIds.length === 0) return outcome;
  const rules = await activeRules(tx, partnershipId);
  if (rules.length === 0) return outcome;
  const today = londonDate(now);
  const since = addDays(today, -Math.max(...rules.map((r) => maxWindowDays(r.conditions))));
  const ids = [...new Set(personIds)];
  const [signals, live, lastClosed, leads] = await Promise.all([
    signalsSince(tx, partnershipId, ids, since),
    liveAlerts(tx, partnershipId, ids),
    lastClosedAlerts(tx, partnershipId, ids),
    planLeads(tx, partnershipId, ids),
  ]);
  const signalsOf = groupBy(signals, (s) => s.personId);
  const liveOf = new Map(live.map((a) => [`${a.personId}|${a.ruleKey}`, a]));
  const alerted = new Set<string>();
  for (const personId of ids) {
    const facts = signalsOf.get(personId) ?? [];
    if (facts.length === 0) continue;
    for (const rule of rules) {
      const result = evaluateRule(rule.conditions, facts, today);
      if (!result.holds) continue;
      const key = `${personId}|${rule.key}`;
      const current = liveOf.get(key);
      if (current) {
        const added = result.signalIds.filter((id) => !current.signalIds.includes(id));
        if (added.length === 0) continue;
        await tx
          .updateTable('alerts')
          .set({
            signalIds: JSON.stringify([...current.signalIds, ...added]),
            explanation: explain(rule, result),
            ruleId: rule.id,
            updatedAt: now,
          })
          .where('partnershipId', '=', partnershipId)
          .where('id', '=', current.id)
          .execute();
        outcome.updated++;
        continue;
      }
      const closedAt = lastClosed.get(key);
      if (closedAt && !facts.some((s) => result.signalIds.includes(s.id) && s.recordedAt > closedAt))
        continue;
      const lead = rule.route === 'lead_professional_or_front_door' ? leads.get(personId) : undefined;
      const alertId = await raiseAlert(tx, partnershipId, personId, rule, result, lead, now);
      if (lead)
        await tx
          .insertInto('notifications')
          .values({
            partnershipId,
            userId: lead.userId,
            kind: 'alert',
            personId,
            message: `New alert for a child on your plan: ${rule.name}`,
            link: `/alerts/${alertId}`,
            createdAt: now,
          })
          .execute();
      outcome.raised++;
      alerted.add(personId);
    }
  }
  outcome.alertedPersonIds = [...alerted];
  return outcome;
}

/** The alert's own account of itself: which rule and version, and what each condition found. */
export function explain(rule: Pick<ActiveRule, 'name' | 'version'>, result: RuleResult): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const clauses = result.clauses.map(
    (c) =>
      `${c.description[0]!.toUpperCase()}${c.description.slice(1)}: found ${plural(c.signalIds.length, 'signal', 'signals')} from ${plural(c.agencies, 'agency', 'agencies')}.`,
  );
  return `Rule “${rule.name}” (version ${rule.version}) holds. ${clauses.join(' ')}`;
}

async function raiseAlert(
  tx: Tx,
  partnershipId: string,
  personId: string,
  rule: ActiveRule,
  result: RuleResult,
  lead: { userId: string; planId: string } | undefined,
  now: Date,
): Promise<string> {
  const row = await tx
    .insertInto('alerts')
    .values({
      partnershipId,
      personId,
      ruleId: rule.id,
      ruleKey: rule.key,
      signalIds: JSON.stringify(result.signalIds),
      explanation: explain(rule, result),
      routedTo: lead ? 'lead_professional' : 'front_door',
      assignedUserId: lead?.userId ?? null,
      planId: lead?.planId ?? null,
      raisedAt: now,
      updatedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      closedAt: null,
      closedBy: null,
      outcome: null,
      outcomeNote: null,
      contactId: null,
      pickedUpInvolvementId: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function signalsSince(
  tx: Tx,
  partnershipId: string,
  personIds: string[],
  since: string,
): Promise<LoadedSignal[]> {
  return tx
    .selectFrom('signals')
    .select([
      'id',
      'personId',
      'category',
      'severity',
      'observedOn',
      'organisationId',
      'feedKind',
      'measure',
      'recordedAt',
    ])
    .where('partnershipId', '=', partnershipId)
    .where('personId', 'in', personIds)
    .where('observedOn', '>', since)
    .orderBy('observedOn')
    .execute();
}

async function liveAlerts(tx: Tx, partnershipId: string, personIds: string[]): Promise<LiveAlert[]> {
  return tx
    .selectFrom('alerts')
    .select(['id', 'personId', 'ruleKey', 'signalIds'])
    .where('partnershipId', '=', partnershipId)
    .where('personId', 'in', personIds)
    .where('status', '<>', 'closed')
    .forUpdate()
    .execute();
}

/** When each child's last alert under each rule was closed. */
async function lastClosedAlerts(tx: Tx, partnershipId: string, personIds: string[]) {
  const rows = await tx
    .selectFrom('alerts')
    .select(['personId', 'ruleKey', (eb) => eb.fn.max('closedAt').as('closedAt')])
    .where('partnershipId', '=', partnershipId)
    .where('personId', 'in', personIds)
    .where('status', '=', 'closed')
    .groupBy(['personId', 'ruleKey'])
    .execute();
  return new Map(rows.map((r) => [`${r.personId}|${r.ruleKey}`, new Date(r.closedAt as Date | string)]));
}

/** The lead professional of each child's open plan. */
async function planLeads(tx: Tx, partnershipId: string, personIds: string[]) {
  const rows = await tx
    .selectFrom('planChildren as c')
    .innerJoin('plans as p', (j) =>
      j.onRef('p.partnershipId', '=', 'c.partnershipId').onRef('p.id', '=', 'c.planId'),
    )
    .select(['c.personId', 'p.id as planId', 'p.leadProfessionalId as userId'])
    .where('c.partnershipId', '=', partnershipId)
    .where('c.personId', 'in', personIds)
    .where('c.current', '=', true)
    .where('p.status', '=', 'open')
    .execute();
  return new Map(rows.map((r) => [r.personId, { planId: r.planId, userId: r.userId }]));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
