import type { Sector } from '../../db/schema.ts';
import type { DataType, LawfulBasis, Purpose, Sensitivity } from '../../common/sharing.ts';

/**
 * Sharing agreements compiled into the rules the item checks use. Pure: no database, no clock, so
 * every grant and every refusal can be tested exhaustively. Defaults are closed: an item another
 * organisation owns is readable only when a rule, a recorded decision or consent allows it.
 */

export type Party = { sector: Sector | null; organisationId: string | null };

export type SharingRule = {
  agreementId: string;
  agreementName: string;
  purpose: Purpose;
  lawfulBasis: LawfulBasis;
  validFrom: string;
  validUntil: string | null;
  effect: 'allow' | 'deny';
  mode: 'existence' | 'content';
  source: Party;
  recipient: Party;
  dataType: DataType | null;
  sensitivities: readonly Sensitivity[];
};

export type CompiledPolicy = { rules: readonly SharingRule[] };

export type ItemFacts = {
  owningOrganisationId: string;
  owningSector: Sector;
  dataType: DataType;
  sensitivity: Sensitivity;
  sharing: 'as_agreed' | 'owner_only';
};

export type Viewer = { organisationId: string; sector: Sector };

export type ItemQuestion = {
  item: ItemFacts;
  viewer: Viewer;
  /** The purposes the viewer's access to this child rests on (from involvements, emergency access). */
  purposes: ReadonlySet<Purpose>;
  /** Today, 'YYYY-MM-DD'. */
  today: string;
  /** Whether the child's active consent covers this purpose. */
  consentCovers(purpose: Purpose): boolean;
  /** A recorded decision to share this item with the viewer's organisation, with its basis. */
  sharedByDecision: string | null;
  /** What this sensitivity shows when withheld. */
  withheldShows: 'existence' | 'nothing';
};

export type ItemAccess =
  | { level: 'content'; basis: ItemBasis }
  | { level: 'existence'; basis: null }
  | { level: 'hidden'; basis: null };

export type ItemBasis =
  | { kind: 'owner' }
  | { kind: 'subject_access' }
  | { kind: 'decision'; lawfulBasis: string }
  | {
      kind: 'agreement';
      agreementId: string;
      agreementName: string;
      lawfulBasis: LawfulBasis;
      consent: boolean;
    };

export function compilePolicy(rules: readonly SharingRule[]): CompiledPolicy {
  return { rules: [...rules] };
}

function partyMatches(rule: Party, sector: Sector, organisationId: string): boolean {
  if (rule.organisationId && rule.organisationId !== organisationId) return false;
  if (rule.sector && rule.sector !== sector) return false;
  return true;
}

function applies(rule: SharingRule, q: ItemQuestion): boolean {
  return (
    q.today >= rule.validFrom &&
    (rule.validUntil === null || q.today <= rule.validUntil) &&
    q.purposes.has(rule.purpose) &&
    (rule.dataType === null || rule.dataType === q.item.dataType) &&
    rule.sensitivities.includes(q.item.sensitivity) &&
    partyMatches(rule.source, q.item.owningSector, q.item.owningOrganisationId) &&
    partyMatches(rule.recipient, q.viewer.sector, q.viewer.organisationId)
  );
}

/** What the viewer may see of one item: its content, only that it exists (and whom to ask), or nothing. */
export function decideItem(policy: CompiledPolicy, q: ItemQuestion): ItemAccess {
  if (q.item.owningOrganisationId === q.viewer.organisationId)
    return { level: 'content', basis: { kind: 'owner' } };
  if (q.sharedByDecision)
    return { level: 'content', basis: { kind: 'decision', lawfulBasis: q.sharedByDecision } };
  const withheld: ItemAccess =
    q.withheldShows === 'existence' ? { level: 'existence', basis: null } : { level: 'hidden', basis: null };
  if (q.item.sharing === 'owner_only') return withheld;

  const matching = policy.rules.filter((rule) => applies(rule, q));
  // A deny is an exception: it beats any allow at its level (a content deny still lets existence through).
  const contentDenied = matching.some((r) => r.effect === 'deny');
  const existenceDenied = matching.some((r) => r.effect === 'deny' && r.mode === 'existence');
  const usable = matching.filter(
    (r) => r.effect === 'allow' && (r.lawfulBasis !== 'consent' || q.consentCovers(r.purpose)),
  );
  const content = usable.find((r) => r.mode === 'content');
  if (content && !contentDenied) {
    return {
      level: 'content',
      basis: {
        kind: 'agreement',
        agreementId: content.agreementId,
        agreementName: content.agreementName,
        lawfulBasis: content.lawfulBasis,
        consent: content.lawfulBasis === 'consent',
      },
    };
  }
  if (existenceDenied) return { level: 'hidden', basis: null };
  if (usable.length > 0) return { level: 'existence', basis: null };
  return withheld;
}

type RuleShape = Pick<SharingRule, 'effect' | 'mode' | 'source' | 'recipient' | 'dataType' | 'sensitivities'>;

/**
 * Within one agreement, an allow and a deny with the same parties, data type and mode that cover a
 * common sensitivity contradict each other: the agreement would say two things at once. Exceptions
 * are written as narrower rules (a named organisation inside an allowed sector), which do not clash.
 */
export function findContradiction(existing: readonly RuleShape[], candidate: RuleShape): number | null {
  const same = (a: Party, b: Party) => a.sector === b.sector && a.organisationId === b.organisationId;
  const index = existing.findIndex(
    (rule) =>
      rule.effect !== candidate.effect &&
      rule.mode === candidate.mode &&
      rule.dataType === candidate.dataType &&
      same(rule.source, candidate.source) &&
      same(rule.recipient, candidate.recipient) &&
      rule.sensitivities.some((s) => candidate.sensitivities.includes(s)),
  );
  return index === -1 ? null : index;
}
