import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATA_TYPES,
  LAWFUL_BASES,
  PURPOSES,
  SENSITIVITIES,
  type Purpose,
  type Sensitivity,
} from '../../common/sharing.ts';
import type { Sector } from '../../db/schema.ts';
import { SECTORS } from './access.schemas.ts';
import {
  compilePolicy,
  decideItem,
  findContradiction,
  type ItemAccess,
  type ItemQuestion,
  type Party,
  type SharingRule,
} from './access.policy.ts';

/**
 * The sharing rules as properties: every grant and every refusal of decideItem, and the contradiction
 * check, over generated agreements, items, viewers, purposes, dates and consent. The forbidden side
 * is asserted as often as the allowed one.
 */

const RANK: Record<ItemAccess['level'], number> = { hidden: 0, existence: 1, content: 2 };
const rank = (a: ItemAccess) => RANK[a.level];

// A few organisations with fixed sectors, so owner, viewer and rule parties meet often.
const ORGANISATIONS: readonly { id: string; sector: Sector }[] = [
  { id: 'org-council', sector: 'social_care' },
  { id: 'org-school', sector: 'education' },
  { id: 'org-gp', sector: 'health' },
  { id: 'org-hospital', sector: 'health' },
  { id: 'org-housing', sector: 'housing' },
];
const DAYS = ['2025-06-30', '2026-01-01', '2026-03-02', '2026-06-30', '2027-01-01'] as const;

const organisation = fc.constantFrom(...ORGANISATIONS);
const sector = fc.constantFrom(...SECTORS);
const purpose = fc.constantFrom(...PURPOSES);
const sensitivity = fc.constantFrom(...SENSITIVITIES);
const day = fc.constantFrom(...DAYS);
const purposes = fc.subarray([...PURPOSES]).map((ps) => new Set<Purpose>(ps));

const party: fc.Arbitrary<Party> = fc.oneof(
  fc.constant({ sector: null, organisationId: null }),
  sector.map((s) => ({ sector: s, organisationId: null })),
  organisation.map((o) => ({ sector: null, organisationId: o.id })),
  organisation.map((o) => ({ sector: o.sector, organisationId: o.id })),
);

const ruleArb: fc.Arbitrary<SharingRule> = fc
  .record({
    agreementId: fc.constantFrom('agreement-1', 'agreement-2', 'agreement-3'),
    purpose,
    lawfulBasis: fc.constantFrom(...LAWFUL_BASES),
    validFrom: day,
    validUntil: fc.option(day, { nil: null }),
    effect: fc.constantFrom('allow' as const, 'deny' as const),
    mode: fc.constantFrom('existence' as const, 'content' as const),
    source: party,
    recipient: party,
    dataType: fc.option(fc.constantFrom(...DATA_TYPES), { nil: null }),
    sensitivities: fc.subarray([...SENSITIVITIES], { minLength: 1 }),
  })
  .map((r) => ({ ...r, agreementName: `Agreement ${r.agreementId}` }));
const rules = fc.array(ruleArb, { maxLength: 8 });

type Question = Omit<ItemQuestion, 'consentCovers'> & { consented: ReadonlySet<Purpose> };

const questionArb: fc.Arbitrary<Question> = fc
  .record({
    owner: organisation,
    viewer: organisation,
    dataType: fc.constantFrom(...DATA_TYPES),
    sensitivity,
    sharing: fc.constantFrom('as_agreed' as const, 'as_agreed' as const, 'owner_only' as const),
    purposes,
    today: day,
    consented: purposes,
    sharedByDecision: fc.option(fc.constantFrom('public_task', 'safeguarding'), { nil: null, freq: 4 }),
    withheldShows: fc.constantFrom('existence' as const, 'nothing' as const),
  })
  .map((g) => ({
    item: {
      owningOrganisationId: g.owner.id,
      owningSector: g.owner.sector,
      dataType: g.dataType,
      sensitivity: g.sensitivity,
      sharing: g.sharing,
    },
    viewer: { organisationId: g.viewer.id, sector: g.viewer.sector },
    purposes: g.purposes,
    today: g.today,
    consented: g.consented,
    sharedByDecision: g.sharedByDecision,
    withheldShows: g.withheldShows,
  }));

/** A question about someone else's item, with no recorded decision: where the agreements decide. */
const agreementQuestion = questionArb.map((q): Question => ({
  ...q,
  viewer:
    q.viewer.organisationId === q.item.owningOrganisationId
      ? { organisationId: 'org-elsewhere', sector: 'police' }
      : q.viewer,
  item: { ...q.item, sharing: 'as_agreed' as const },
  sharedByDecision: null,
}));

function decide(policyRules: readonly SharingRule[], q: Question): ItemAccess {
  const { consented, ...rest } = q;
  return decideItem(compilePolicy(policyRules), { ...rest, consentCovers: (p) => consented.has(p) });
}

const withheld = (q: Question): ItemAccess['level'] =>
  q.withheldShows === 'existence' ? 'existence' : 'hidden';

/** A rule that applies to this question: in date, for one of its purposes, matching item and viewer exactly. */
function ruleFor(
  q: Question,
  effect: SharingRule['effect'],
  mode: SharingRule['mode'],
  overrides: Partial<SharingRule> = {},
): SharingRule {
  return {
    agreementId: 'agreement-matching',
    agreementName: 'Matching agreement',
    purpose: [...q.purposes][0] ?? 'safeguarding',
    lawfulBasis: 'public_task',
    validFrom: q.today,
    validUntil: q.today,
    effect,
    mode,
    source: { sector: q.item.owningSector, organisationId: q.item.owningOrganisationId },
    recipient: { sector: q.viewer.sector, organisationId: q.viewer.organisationId },
    dataType: q.item.dataType,
    sensitivities: [q.item.sensitivity],
    ...overrides,
  };
}

const withPurpose = agreementQuestion.filter((q) => q.purposes.size > 0);

describe('decideItem: who sees what of one item', () => {
  it('always shows the owning organisation its own item, whatever the rules, consent or sharing flag', () => {
    fc.assert(
      fc.property(rules, questionArb, (rs, g) => {
        const q = {
          ...g,
          viewer: { organisationId: g.item.owningOrganisationId, sector: g.item.owningSector },
        };
        expect(decide(rs, q)).toEqual({ level: 'content', basis: { kind: 'owner' } });
      }),
    );
  });

  it('is closed by default: with no rules another organisation never sees content, only what withheld items show', () => {
    fc.assert(
      fc.property(agreementQuestion, (q) => {
        const access = decide([], q);
        expect(access.level).not.toBe('content');
        expect(access).toEqual({ level: withheld(q), basis: null });
      }),
    );
  });

  it('never lets rules reach an item marked owner_only; only a recorded decision shares it', () => {
    fc.assert(
      fc.property(rules, agreementQuestion, (rs, g) => {
        const q = { ...g, item: { ...g.item, sharing: 'owner_only' as const } };
        // Even a rule written for exactly this item, viewer and purpose.
        const all = q.purposes.size > 0 ? [...rs, ruleFor(q, 'allow', 'content')] : rs;
        expect(decide(all, q)).toEqual({ level: withheld(q), basis: null });
        expect(decide(all, { ...q, sharedByDecision: 'vital_interests' })).toEqual({
          level: 'content',
          basis: { kind: 'decision', lawfulBasis: 'vital_interests' },
        });
      }),
    );
  });

  it('shares an item with a recorded decision whatever the rules say, citing the decision', () => {
    fc.assert(
      fc.property(rules, agreementQuestion, (rs, q) => {
        expect(decide(rs, { ...q, sharedByDecision: 'legal_obligation' })).toEqual({
          level: 'content',
          basis: { kind: 'decision', lawfulBasis: 'legal_obligation' },
        });
      }),
    );
  });

  it('lets a content deny beat every allow for content, and an existence deny hide the item altogether', () => {
    fc.assert(
      fc.property(rules, withPurpose, (rs, q) => {
        const allows = rs.filter((r) => r.effect === 'allow');
        const allowed = [...allows, ruleFor(q, 'allow', 'content'), ruleFor(q, 'allow', 'existence')];
        expect(decide(allowed, q).level).toBe('content');
        // A content deny leaves existence (there is an allow for it); an existence deny leaves nothing.
        expect(decide([...allowed, ruleFor(q, 'deny', 'content')], q)).toEqual({
          level: 'existence',
          basis: null,
        });
        expect(decide([...allowed, ruleFor(q, 'deny', 'existence')], q)).toEqual({
          level: 'hidden',
          basis: null,
        });
        expect(decide([ruleFor(q, 'deny', 'existence'), ...allowed], q).level).toBe('hidden');
      }),
    );
  });

  it('never gives content while an applicable deny exists, and never existence while an existence deny does', () => {
    fc.assert(
      fc.property(
        rules,
        withPurpose,
        fc.constantFrom('existence' as const, 'content' as const),
        (rs, q, mode) => {
          const access = decide([...rs, ruleFor(q, 'deny', mode, { lawfulBasis: 'consent' })], q);
          expect(access.level).not.toBe('content');
          if (mode === 'existence') expect(access.level).toBe('hidden');
        },
      ),
    );
  });

  it('never grants on a consent-based rule without consent for that rule’s purpose', () => {
    fc.assert(
      fc.property(rules, agreementQuestion, (rs, q) => {
        const access = decide(rs, q);
        if (access.level === 'content' && access.basis.kind === 'agreement' && access.basis.consent) {
          const { agreementId } = access.basis;
          const grounds = rs.filter(
            (r) =>
              r.agreementId === agreementId &&
              r.lawfulBasis === 'consent' &&
              q.consented.has(r.purpose) &&
              decide([r], q).level === 'content',
          );
          expect(grounds.length).toBeGreaterThan(0);
        }
        // With nothing consented, consent-based rules alone give exactly what no rules give.
        const consentOnly = rs.map((r) => ({ ...r, lawfulBasis: 'consent' as const }));
        const none = { ...q, consented: new Set<Purpose>() };
        const denies = consentOnly.filter((r) => r.effect === 'deny');
        expect(decide(consentOnly, none)).toEqual(decide(denies, none));
        expect(rank(decide(consentOnly, none))).toBeLessThanOrEqual(RANK[withheld(q)]);
      }),
    );
  });

  it('never increases access when consent is withdrawn for any purpose', () => {
    fc.assert(
      fc.property(rules, agreementQuestion, purpose, (rs, q, withdrawn) => {
        const before = decide(rs, q);
        const after = decide(rs, {
          ...q,
          consented: new Set([...q.consented].filter((p) => p !== withdrawn)),
        });
        expect(rank(after)).toBeLessThanOrEqual(rank(before));
        expect(rank(decide(rs, { ...q, consented: new Set() }))).toBeLessThanOrEqual(rank(after));
      }),
    );
  });

  it('stops sharing resting on consent once it is withdrawn, though a rule on another basis still holds', () => {
    fc.assert(
      fc.property(withPurpose, (q) => {
        const onConsent = ruleFor(q, 'allow', 'content', { lawfulBasis: 'consent' });
        const given = { ...q, consented: new Set([onConsent.purpose]) };
        expect(decide([onConsent], given)).toMatchObject({ level: 'content', basis: { consent: true } });
        const withdrawn = { ...q, consented: new Set<Purpose>() };
        expect(decide([onConsent], withdrawn)).toEqual({ level: withheld(q), basis: null });
        const onDuty = ruleFor(q, 'allow', 'content', { lawfulBasis: 'legal_obligation' });
        expect(decide([onConsent, onDuty], withdrawn)).toMatchObject({
          level: 'content',
          basis: { lawfulBasis: 'legal_obligation', consent: false },
        });
      }),
    );
  });

  it('ignores a rule before its start, after its end, or for a purpose the access does not serve', () => {
    const inapplicable = fc.constantFrom('not yet' as const, 'ended' as const, 'other purpose' as const);
    fc.assert(
      fc.property(
        rules,
        agreementQuestion,
        fc.constantFrom('allow' as const, 'deny' as const),
        fc.constantFrom('existence' as const, 'content' as const),
        inapplicable,
        (rs, q, effect, mode, why) => {
          const other = PURPOSES.find((p) => !q.purposes.has(p));
          fc.pre(why !== 'other purpose' || other !== undefined);
          const next = (d: string) =>
            new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
          const prev = (d: string) =>
            new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
          const rule = ruleFor(q, effect, mode, {
            purpose: why === 'other purpose' ? other! : ([...q.purposes][0] ?? 'safeguarding'),
            validFrom: why === 'not yet' ? next(q.today) : '2020-01-01',
            validUntil: why === 'ended' ? prev(q.today) : null,
          });
          expect(decide([...rs, rule], q)).toEqual(decide(rs, q));
        },
      ),
    );
  });

  it('applies a rule on its first and last day', () => {
    fc.assert(
      fc.property(withPurpose, (q) => {
        expect(
          decide([ruleFor(q, 'allow', 'content', { validFrom: q.today, validUntil: q.today })], q).level,
        ).toBe('content');
      }),
    );
  });

  it('never applies a rule to a sensitivity, data type or party it does not name', () => {
    fc.assert(
      fc.property(
        rules,
        withPurpose,
        fc.constantFrom('sensitivity', 'data type', 'source', 'recipient'),
        fc.constantFrom('allow' as const, 'deny' as const),
        (rs, q, miss, effect) => {
          const elsewhere = ORGANISATIONS.find(
            (o) => o.id !== q.item.owningOrganisationId && o.id !== q.viewer.organisationId,
          )!;
          const rule = ruleFor(q, effect, 'content', {
            sensitivities:
              miss === 'sensitivity'
                ? SENSITIVITIES.filter((s) => s !== q.item.sensitivity)
                : [q.item.sensitivity],
            dataType: miss === 'data type' ? DATA_TYPES.find((t) => t !== q.item.dataType)! : q.item.dataType,
            source:
              miss === 'source'
                ? { sector: null, organisationId: elsewhere.id }
                : { sector: q.item.owningSector, organisationId: null },
            recipient:
              miss === 'recipient'
                ? { sector: null, organisationId: elsewhere.id }
                : { sector: q.viewer.sector, organisationId: null },
          });
          expect(decide([...rs, rule], q)).toEqual(decide(rs, q));
        },
      ),
    );
  });

  it('gives nothing from the rules when the access serves no purpose', () => {
    fc.assert(
      fc.property(rules, agreementQuestion, (rs, g) => {
        const q = { ...g, purposes: new Set<Purpose>() };
        expect(decide(rs, q)).toEqual({ level: withheld(q), basis: null });
      }),
    );
  });

  it('is monotone: adding an allow never reduces access, adding a deny never increases it', () => {
    fc.assert(
      fc.property(rules, ruleArb, questionArb, (rs, extra, q) => {
        const before = rank(decide(rs, q));
        const allow = { ...extra, effect: 'allow' as const };
        const deny = { ...extra, effect: 'deny' as const };
        expect(rank(decide([...rs, allow], q))).toBeGreaterThanOrEqual(before);
        expect(rank(decide([...rs, deny], q))).toBeLessThanOrEqual(before);
      }),
    );
  });

  it('does not depend on the order of the rules', () => {
    fc.assert(
      fc.property(
        rules.chain((rs) =>
          fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length })),
        ),
        questionArb,
        ([rs, shuffled], q) => {
          expect(decide(shuffled, q).level).toBe(decide(rs, q).level);
        },
      ),
    );
  });

  it('cites, for content shared by agreement, an allow-content rule that applies, and none when withheld', () => {
    fc.assert(
      fc.property(rules, agreementQuestion, (rs, q) => {
        const access = decide(rs, q);
        if (access.level !== 'content') {
          expect(access.basis).toBeNull();
          return;
        }
        expect(access.basis.kind).toBe('agreement');
        if (access.basis.kind !== 'agreement') return;
        const { agreementId, lawfulBasis } = access.basis;
        // That rule, alone, grants content: it applies to this item, viewer, purpose and day.
        const cited = rs.filter(
          (r) =>
            r.agreementId === agreementId &&
            r.lawfulBasis === lawfulBasis &&
            r.effect === 'allow' &&
            r.mode === 'content' &&
            decide([r], q).level === 'content',
        );
        expect(cited.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('decideItem: examples', () => {
  const council = { organisationId: 'org-council', sector: 'social_care' as Sector };
  const housing = { organisationId: 'org-housing', sector: 'housing' as Sector };
  const gpItem = (s: Sensitivity) => ({
    owningOrganisationId: 'org-gp',
    owningSector: 'health' as Sector,
    dataType: 'health' as const,
    sensitivity: s,
    sharing: 'as_agreed' as const,
  });
  const base = (over: Partial<SharingRule>): SharingRule => ({
    agreementId: 'safeguarding',
    agreementName: 'Safeguarding',
    purpose: 'safeguarding',
    lawfulBasis: 'public_task',
    validFrom: '2026-01-01',
    validUntil: null,
    effect: 'allow',
    mode: 'content',
    source: { sector: null, organisationId: null },
    recipient: { sector: null, organisationId: null },
    dataType: null,
    sensitivities: ['standard', 'health'],
    ...over,
  });
  // The trust world's safeguarding agreement.
  const safeguarding = [
    base({}),
    base({ mode: 'existence', sensitivities: ['special_category'] }),
    base({
      effect: 'deny',
      sensitivities: ['health'],
      recipient: { sector: 'housing', organisationId: null },
    }),
  ];
  const q = (viewer: typeof council, s: Sensitivity, over: Partial<Question> = {}): Question => ({
    item: gpItem(s),
    viewer,
    purposes: new Set<Purpose>(['safeguarding']),
    today: '2026-03-02',
    consented: new Set(),
    sharedByDecision: null,
    withheldShows: s === 'restricted_location' ? 'nothing' : 'existence',
    ...over,
  });

  it.each([
    ['council', 'health', 'content'],
    ['council', 'special_category', 'existence'],
    ['council', 'restricted_location', 'hidden'],
    ['housing', 'health', 'existence'],
    ['housing', 'special_category', 'existence'],
    ['housing', 'standard', 'content'],
  ] as const)('safeguarding agreement: %s sees a GP %s item as %s', (who, s, level) => {
    expect(decide(safeguarding, q(who === 'council' ? council : housing, s)).level).toBe(level);
  });

  it('withholds the item from someone whose access is for early help only', () => {
    expect(decide(safeguarding, q(council, 'health', { purposes: new Set(['early_help']) })).level).toBe(
      'existence',
    );
  });

  it('stops at the end of the agreement’s last day', () => {
    const ending = safeguarding.map((r) => ({ ...r, validUntil: '2026-03-01' }));
    expect(decide(ending, q(council, 'health')).level).toBe('existence');
    expect(decide(ending, q(council, 'health', { today: '2026-03-01' })).level).toBe('content');
  });

  it('shows a restricted location to nobody outside the owner without a rule or decision', () => {
    expect(decide([], q(council, 'restricted_location'))).toEqual({ level: 'hidden', basis: null });
    expect(decide([], q(council, 'restricted_location', { sharedByDecision: 'vital_interests' })).level).toBe(
      'content',
    );
  });
});

describe('findContradiction: an agreement may not say two things at once', () => {
  const shape = ruleArb.map(({ effect, mode, source, recipient, dataType, sensitivities }) => ({
    effect,
    mode,
    source,
    recipient,
    dataType,
    sensitivities,
  }));
  const flip = (e: 'allow' | 'deny') => (e === 'allow' ? ('deny' as const) : ('allow' as const));

  it('finds the rule an identical selector with the opposite effect contradicts', () => {
    fc.assert(
      fc.property(
        fc.array(shape, { maxLength: 6 }),
        shape,
        fc.array(shape, { maxLength: 6 }),
        (before, rule, after) => {
          const existing = [...before, rule, ...after];
          const candidate = { ...rule, effect: flip(rule.effect) };
          const found = findContradiction(existing, candidate);
          expect(found).not.toBeNull();
          // The first clash is reported, and it really is one.
          expect(found!).toBeLessThanOrEqual(before.length);
          const clash = existing[found!]!;
          expect(clash.effect).not.toBe(candidate.effect);
          expect(clash.mode).toBe(candidate.mode);
          expect(clash.dataType).toBe(candidate.dataType);
          expect(clash.source).toEqual(candidate.source);
          expect(clash.recipient).toEqual(candidate.recipient);
          expect(clash.sensitivities.some((s) => candidate.sensitivities.includes(s))).toBe(true);
        },
      ),
    );
  });

  it('finds a clash on one shared sensitivity among several', () => {
    fc.assert(
      fc.property(shape, sensitivity, (rule, shared) => {
        const existing = [{ ...rule, sensitivities: [...new Set([...rule.sensitivities, shared])] }];
        expect(
          findContradiction(existing, { ...rule, effect: flip(rule.effect), sensitivities: [shared] }),
        ).toBe(0);
      }),
    );
  });

  it('never flags rules with the same effect, disjoint sensitivities, another mode or data type, or different parties', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom('same effect', 'sensitivities', 'mode', 'data type', 'source', 'recipient'),
        party,
        (rule, differ, other) => {
          const candidate = { ...rule, effect: flip(rule.effect) };
          switch (differ) {
            case 'same effect':
              candidate.effect = rule.effect;
              break;
            case 'sensitivities':
              candidate.sensitivities = SENSITIVITIES.filter((s) => !rule.sensitivities.includes(s));
              break;
            case 'mode':
              candidate.mode = rule.mode === 'content' ? 'existence' : 'content';
              break;
            case 'data type':
              candidate.dataType = rule.dataType === null ? 'health' : null;
              break;
            case 'source':
              fc.pre(
                other.sector !== rule.source.sector || other.organisationId !== rule.source.organisationId,
              );
              candidate.source = other;
              break;
            case 'recipient':
              fc.pre(
                other.sector !== rule.recipient.sector ||
                  other.organisationId !== rule.recipient.organisationId,
              );
              candidate.recipient = other;
              break;
          }
          expect(findContradiction([rule], candidate)).toBeNull();
        },
      ),
    );
  });

  it('finds nothing in an empty agreement', () => {
    fc.assert(
      fc.property(shape, (candidate) => {
        expect(findContradiction([], candidate)).toBeNull();
      }),
    );
  });

  it('lets an exception be written as a narrower rule: a named organisation inside an allowed sector', () => {
    const allowHealth = {
      effect: 'allow' as const,
      mode: 'content' as const,
      source: { sector: 'health' as Sector, organisationId: null },
      recipient: { sector: null, organisationId: null },
      dataType: null,
      sensitivities: ['health'] as Sensitivity[],
    };
    expect(findContradiction([allowHealth], { ...allowHealth, effect: 'deny' })).toBe(0);
    expect(
      findContradiction([allowHealth], {
        ...allowHealth,
        effect: 'deny',
        recipient: { sector: 'housing', organisationId: null },
      }),
    ).toBeNull();
  });
});
