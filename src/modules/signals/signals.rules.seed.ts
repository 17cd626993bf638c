import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import { insertRuleVersion, latestVersion } from './signals.rules.store.ts';
import { fixtureFailure, RuleConditions, RuleFixtures, runFixtures } from './signals.rules.ts';

/** The rules a new partnership starts with, as data: ./rules/default-rules.json. */
const DEFAULT_RULES_FILE = new URL('./rules/default-rules.json', import.meta.url);

const DefaultRule = z.object({
  key: z.string(),
  name: z.string(),
  route: z.enum(['lead_professional_or_front_door', 'front_door']),
  conditions: RuleConditions,
  fixtures: RuleFixtures,
});

/** The default rules, checked as a save would check them: a rule whose fixtures fail is a fault here. */
export function defaultRules(today: string) {
  const rules = z.array(DefaultRule).parse(JSON.parse(readFileSync(DEFAULT_RULES_FILE, 'utf8')));
  for (const rule of rules) {
    const failed = runFixtures(rule.conditions, rule.fixtures, today).filter((r) => !r.passed);
    if (failed.length)
      throw new Error(`Default signal rule ${rule.key}: ${failed.map(fixtureFailure).join('; ')}`);
  }
  return rules;
}

/** Adds the default rules, switched on, as version 1; a rule the partnership already has is left alone. */
export async function seedSignalRules(
  db: Db,
  partnershipId: string,
  ownerUserId: string,
  at: Date,
): Promise<number> {
  let added = 0;
  for (const rule of defaultRules(londonDate(at))) {
    if ((await latestVersion(db, partnershipId, rule.key)) !== null) continue;
    await insertRuleVersion(db, {
      ...rule,
      partnershipId,
      version: 1,
      ownerUserId,
      active: true,
      createdAt: at,
      createdBy: ownerUserId,
    });
    added += 1;
  }
  return added;
}
