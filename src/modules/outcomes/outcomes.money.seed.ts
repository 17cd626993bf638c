import { londonDate } from '../../common/plain-dates.ts';
import type { Db } from '../../db/database.ts';
import type { Sector } from '../../db/schema.ts';
import { listServiceNames, seedAcceptedReferrals } from '../directory/index.ts';
import { DEMO_HISTORY_YEARS } from './outcomes.demo.ts';
import { financialYearOf, type BudgetKind } from './outcomes.money.schemas.ts';
import * as store from './outcomes.money.store.ts';
import { seededRandom } from '../../common/random.ts';

/**
 * The demo partnership's money: five funding partners and five financial years (ending with the
 * current one) of own, aligned and pooled budgets, spent quarter by quarter on directory services
 * towards the Every Child Matters outcomes. Budgets grow a little each year; from the third year the
 * pooled early help fund grows faster, as the East locality's integrated team starts (outcomes.demo.ts).
 * Runs after the directory is seeded.
 */

type DemoPartner = { key: string; name: string; sector: Sector };
const PARTNERS: readonly DemoPartner[] = [
  { key: 'council', name: 'Northbridge Council children’s services', sector: 'social_care' },
  { key: 'icb', name: 'Northbridge Integrated Care Board', sector: 'health' },
  { key: 'pcc', name: 'Police and Crime Commissioner for Northbridge', sector: 'police' },
  { key: 'schools', name: 'Northbridge Schools Forum', sector: 'education' },
  { key: 'charity', name: 'Northbridge Community Foundation', sector: 'voluntary' },
];

type DemoBudget = {
  name: string;
  kind: BudgetKind;
  /** Pounds in the first year, per partner key. */
  contributions: Record<string, number>;
  /** Yearly growth before the change, and after it. */
  growth: [number, number];
  /** Words in the names of the services it pays for, and the outcomes it serves. */
  services: readonly { words: readonly string[]; outcomes: readonly string[] }[];
  description: string;
};

const BUDGETS: readonly DemoBudget[] = [
  {
    name: 'Early help pooled fund',
    kind: 'pooled',
    contributions: { council: 1_050_000, icb: 520_000, pcc: 230_000 },
    growth: [0.02, 0.09],
    description: 'Section 75 agreement between the council, the integrated care board and the commissioner.',
    services: [
      { words: ['family support', 'early help', 'family'], outcomes: ['stay_safe', 'economic_wellbeing'] },
      { words: ['parenting'], outcomes: ['be_healthy', 'stay_safe'] },
      { words: ['domestic abuse', 'abuse'], outcomes: ['stay_safe'] },
    ],
  },
  {
    name: 'Children’s social care prevention',
    kind: 'own',
    contributions: { council: 2_400_000 },
    growth: [0.03, 0.01],
    description: 'The council’s own budget for targeted support.',
    services: [
      { words: ['young carers', 'carer'], outcomes: ['enjoy_and_achieve', 'be_healthy'] },
      { words: ['youth', 'young people'], outcomes: ['positive_contribution', 'enjoy_and_achieve'] },
      { words: ['children', 'child'], outcomes: ['stay_safe'] },
    ],
  },
  {
    name: 'Children and young people’s mental health',
    kind: 'own',
    contributions: { icb: 1_300_000 },
    growth: [0.04, 0.05],
    description: 'The integrated care board’s budget for early mental health support.',
    services: [
      { words: ['mental health', 'wellbeing', 'counselling'], outcomes: ['be_healthy'] },
      { words: ['health', 'nurse', 'nursing'], outcomes: ['be_healthy'] },
    ],
  },
  {
    name: 'Youth violence and exploitation',
    kind: 'aligned',
    contributions: { pcc: 310_000, council: 180_000, schools: 90_000 },
    growth: [0.03, 0.04],
    description: 'Aligned budgets under the serious violence duty; each partner accounts for its own part.',
    services: [
      { words: ['youth', 'mentoring', 'sport'], outcomes: ['positive_contribution', 'stay_safe'] },
      { words: ['exploitation', 'violence', 'crime'], outcomes: ['stay_safe'] },
    ],
  },
  {
    name: 'Inclusion and attendance',
    kind: 'own',
    contributions: { schools: 420_000 },
    growth: [0.02, 0.02],
    description: 'High needs block money for inclusion support in schools.',
    services: [
      { words: ['school', 'education', 'learning', 'send'], outcomes: ['enjoy_and_achieve'] },
      { words: ['tuition', 'homework', 'reading'], outcomes: ['enjoy_and_achieve', 'economic_wellbeing'] },
    ],
  },
  {
    name: 'Family hardship grants',
    kind: 'own',
    contributions: { charity: 140_000 },
    growth: [0.05, 0.05],
    description: 'The foundation’s grants to local family charities.',
    services: [{ words: ['food', 'money', 'debt', 'benefits', 'housing'], outcomes: ['economic_wellbeing'] }],
  },
];

export type MoneySeedCounts = {
  partners: number;
  budgets: number;
  spendLines: number;
  years: number[];
  /** Accepted directory referrals written so the services have children served. */
  referrals: number;
};

export async function seedMoney(
  db: Db,
  partnershipId: string,
  options: { now: Date; seed: number },
): Promise<MoneySeedCounts> {
  const rand = seededRandom(options.seed * 7919 + 17);
  const services = (await listServiceNames(db, partnershipId)).filter((s) => s.status === 'active');
  if (services.length === 0) return { partners: 0, budgets: 0, spendLines: 0, years: [], referrals: 0 };
  const lastYear = financialYearOf(londonDate(options.now));
  const years = Array.from({ length: DEMO_HISTORY_YEARS }, (_, i) => lastYear - DEMO_HISTORY_YEARS + 1 + i);
  // The integrated locality team starts in the third year.
  const changeYear = years[2]!;
  const used = new Set<string>();
  const pick = (words: readonly string[]) => {
    const matching = services.filter(
      (s) => !used.has(s.id) && words.some((w) => s.name.toLowerCase().includes(w)),
    );
    const pool = matching.length > 0 ? matching : services.filter((s) => !used.has(s.id));
    const chosen = (pool.length > 0 ? pool : services)[
      Math.floor(rand() * (pool.length || services.length))
    ]!;
    used.add(chosen.id);
    return chosen;
  };
  // Each budget's services are fixed for the five years, so year-on-year changes mean something.
  const plan = BUDGETS.map((b) => ({
    budget: b,
    services: b.services.map((s) => ({ service: pick(s.words), outcomes: s.outcomes, weight: 0.5 + rand() })),
  }));

  let budgetCount = 0;
  let spendLines = 0;
  const spentOn = new Map<string, number>();
  await db.transaction().execute(async (tx) => {
    const partnerIds = new Map<string, string>();
    for (const p of PARTNERS) {
      const id = await store.insertPartner(tx, {
        partnershipId,
        name: p.name,
        sector: p.sector,
        createdBy: null,
        createdAt: options.now,
        idempotencyKey: null,
      });
      partnerIds.set(p.key, id);
    }
    for (const { budget, services: paidFor } of plan) {
      let factor = 1;
      for (const year of years) {
        const contributions = Object.entries(budget.contributions).map(([key, pounds]) => ({
          partnerId: partnerIds.get(key)!,
          // Rounded to the nearest £100, as budgets are set.
          pence: Math.round((pounds * factor * (0.98 + rand() * 0.04)) / 100) * 10_000,
        }));
        const budgetId = await store.insertBudget(tx, {
          partnershipId,
          name: budget.name,
          financialYear: year,
          kind: budget.kind,
          description: budget.description,
          createdBy: null,
          createdAt: options.now,
          idempotencyKey: null,
        });
        await store.replaceContributions(tx, partnershipId, budgetId, contributions);
        budgetCount++;
        // Each payer's money (the whole fund, or each aligned partner's part) is spent across the
        // services by quarter, 93% to 99% of it; the current year only up to the quarter we are in.
        const payers: { partnerId: string | null; pence: number }[] =
          budget.kind === 'aligned'
            ? contributions.map((c) => ({ partnerId: c.partnerId, pence: c.pence }))
            : [{ partnerId: null, pence: contributions.reduce((s, c) => s + c.pence, 0) }];
        const quarters = year === lastYear ? currentQuarter(options.now) : 4;
        for (const payer of payers) {
          const spent = payer.pence * (0.93 + rand() * 0.06);
          // Each service keeps its share of the budget from year to year, give or take 5%.
          const weights = paidFor.map((p) => p.weight * (0.95 + rand() * 0.1));
          const weightTotal = weights.reduce((s, w) => s + w, 0);
          for (const [i, { service, outcomes }] of paidFor.entries()) {
            for (let q = 1; q <= quarters; q++) {
              const pence =
                Math.round((spent * (weights[i]! / weightTotal) * (0.23 + rand() * 0.04)) / 100) * 100;
              if (pence <= 0) continue;
              await store.insertSpend(tx, {
                partnershipId,
                budgetId,
                partnerId: payer.partnerId,
                serviceId: service.id,
                financialYear: year,
                quarter: q,
                amountPence: pence,
                outcomes: outcomes.map((code) => ({ framework: 'england', code })),
                description: `Q${q} payment`,
                uploadId: null,
                createdBy: null,
                createdAt: options.now,
                idempotencyKey: null,
              });
              spendLines++;
              spentOn.set(`${service.id}|${year}`, (spentOn.get(`${service.id}|${year}`) ?? 0) + pence);
            }
          }
        }
        factor *= 1 + (year + 1 >= changeYear ? budget.growth[1] : budget.growth[0]);
      }
    }
  });
  // Children served: each service has its own cost per child (£600 to £4,000); the hardship grants'
  // service serves only a handful a year, so its count is suppressed on the figures page.
  const serviceIds = [...new Set(plan.flatMap((p) => p.services.map((x) => x.service.id)))];
  const unitCost = serviceIds.map(() => 60_000 + Math.floor(rand() * 340_000));
  const handful = plan.at(-1)!.services[0]!.service.id;
  const referrals = await seedAcceptedReferrals(db, partnershipId, {
    serviceIds,
    years,
    now: options.now,
    seed: options.seed,
    children: (i, year) =>
      serviceIds[i] === handful
        ? 2 + (year % 3)
        : Math.max(1, Math.round((spentOn.get(`${serviceIds[i]}|${year}`) ?? 0) / unitCost[i]!)),
  });
  return { partners: PARTNERS.length, budgets: budgetCount, spendLines, years, referrals };
}

/** The quarter of the financial year a time falls in (1: April to June). */
function currentQuarter(now: Date): number {
  const month = Number(londonDate(now).slice(5, 7));
  return Math.floor(((month + 8) % 12) / 3) + 1;
}
