import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { StoredFields } from '../../db/schema.ts';
import { blockingRules } from './people.blocking.ts';
import { linkageRecordOf } from './people.index-records.ts';
import { LINKAGE_CONFIG, bandOf } from './people.linkage-config.ts';
import { explainPair, matchRecords, prepareRecords, scorePair, type MatchModel } from './people.matching.ts';
import type { PreparedRecord } from './people.normalise.ts';

/**
 * Matching one record against the person index in the database: its blocking keys (the engine's own
 * rules) find the candidate records through one GIN index, and a model trained on a sample of the
 * index scores them. For the front door's "is this child known?", and for small imports into a large
 * index, where loading the whole index would cost more than the matching.
 */

/** A rule's name shortened to four hex digits: keys stay small, and a collision only adds candidates. */
const tagOf = (name: string) => createHash('sha1').update(name).digest('hex').slice(0, 4);

/** The blocking keys of a prepared record, as stored in source_records.match_keys. */
export function matchKeysOf(record: PreparedRecord): string[] {
  const keys: string[] = [];
  for (const rule of blockingRules(Object.keys(record.identifiers))) {
    const key = rule.key(record);
    if (key) keys.push(`${tagOf(rule.name)}:${key}`);
  }
  return keys;
}

export function matchKeysOfFields(fields: StoredFields): string[] {
  return matchKeysOf(prepareRecords([linkageRecordOf('', fields)])[0]!);
}

/** Comparisons looked at first: cheap, and often enough to show that a pair cannot reach the band. */
const FIRST = ['date_of_birth', 'sex', 'postcode', 'street_number', 'family_name', 'given_name'];
const costRank = (key: string) =>
  key.startsWith('identifier:') ? -1 : FIRST.includes(key) ? FIRST.indexOf(key) : FIRST.length;

/**
 * scorePair for pairs that matter, cheaply for those that do not. A pair's weight is the prior plus
 * each comparison's weight, so after the comparisons looked at so far it can gain at most the largest
 * weight (term-frequency bits included) of each one left; once even that cannot reach `floor`, the
 * rest are not compared. A pair that may reach it is scored by scorePair itself, guards and all, so
 * every answer at or above `floor` is exactly scorePair's.
 */
export class PairScorer {
  private readonly order: number[];
  /** The most the comparisons from order[k] on can add, in bits. */
  private readonly mostLeft: Float64Array;
  private readonly floorBits: number;

  constructor(
    readonly model: MatchModel,
    floor: number = LINKAGE_CONFIG.bands.review,
  ) {
    const { comparisons, weights, termAdjustment } = model;
    this.order = comparisons
      .map((_, c) => c)
      .sort((x, y) => costRank(comparisons[x]!.key) - costRank(comparisons[y]!.key));
    const most = (c: number) =>
      Math.max(
        0,
        ...weights[c]!.map(
          (w, l) => w + (l === 1 && termAdjustment[c] ? LINKAGE_CONFIG.termFrequencyLimitBits : 0),
        ),
      );
    this.mostLeft = new Float64Array(this.order.length + 1);
    for (let k = this.order.length - 1; k >= 0; k--)
      this.mostLeft[k] = this.mostLeft[k + 1]! + most(this.order[k]!);
    // A margin for sums taken in another order: a pair is dropped only when plainly below.
    this.floorBits = Math.log2(floor / (1 - floor)) - 1e-6;
  }

  /** scorePair's probability when the pair may reach the floor; otherwise some value below it. */
  score(a: PreparedRecord, b: PreparedRecord): number {
    const { comparisons, weights, termAdjustment, priorBits } = this.model;
    let bits = priorBits;
    for (let k = 0; k < this.order.length; k++) {
      const c = this.order[k]!;
      const comparison = comparisons[c]!;
      const level = comparison.compare(a, b);
      bits += weights[c]![level]!;
      if (level === 1) {
        const adjust = termAdjustment[c];
        if (adjust) bits += adjust(comparison.termValue!(a));
      }
      if (bits + this.mostLeft[k + 1]! < this.floorBits) return -1;
    }
    return scorePair(this.model, a, b);
  }
}

/** Candidates read per record at most: blocks are small, so this bounds only pathological keys. */
const MAX_CANDIDATES = 2_000;
/** Prepared index records kept between calls: preparing is most of the cost of a candidate. */
const KEEP_PREPARED = 100_000;
/** Index records a model is trained on. */
const TRAINING_SAMPLE = 20_000;
/** How long a trained model is used before it is trained again on the index as it then is. */
const MODEL_TTL_MS = 60 * 60 * 1000;

export type IndexCandidate = {
  personId: string;
  sourceRecordId: string;
  probability: number;
  band: ReturnType<typeof bandOf>;
  explanation: ReturnType<typeof explainPair>;
};

export class IndexMatcher {
  private readonly models = new Map<string, { model: MatchModel; trainedAt: number }>();
  private scorer: PairScorer | undefined;
  /** Prepared index records by id, the most recently read at most KEEP_PREPARED. */
  private readonly kept = new Map<string, PreparedRecord>();

  constructor(private readonly db: Db) {}

  /** The people a record may be, best first: each person once, at or above the review band. */
  async candidatesFor(partnershipId: string, fields: StoredFields): Promise<IndexCandidate[]> {
    const [record] = prepareRecords([linkageRecordOf('new', fields)]);
    const keys = matchKeysOf(record!);
    if (keys.length === 0) return [];
    const [model, rows] = await Promise.all([
      this.modelFor(partnershipId),
      currentRecordsWithKeys(this.db, partnershipId, keys),
    ]);
    if (!model || rows.length === 0) return [];
    const candidates = await this.prepared(partnershipId, rows);
    const best = new Map<string, { probability: number; at: number }>();
    const scorer = this.scorerFor(model);
    candidates.forEach((c, at) => {
      const probability = scorer.score(record!, c);
      if (probability < LINKAGE_CONFIG.bands.review) return;
      const personId = rows[at]!.personId;
      const seen = best.get(personId);
      if (!seen || seen.probability < probability) best.set(personId, { probability, at });
    });
    return [...best.entries()]
      .sort(([, x], [, y]) => y.probability - x.probability)
      .map(([personId, { probability, at }]) => ({
        personId,
        sourceRecordId: rows[at]!.id,
        probability,
        band: bandOf(probability),
        explanation: explainPair(model, record!, candidates[at]!),
      }));
  }

  /**
   * The candidates prepared for matching: from those kept, the rest read (their fields) and prepared.
   * A source record is never changed, so a kept one is never out of date.
   */
  private async prepared(partnershipId: string, rows: readonly { id: string }[]): Promise<PreparedRecord[]> {
    const missing = rows.filter((r) => !this.kept.has(r.id)).map((r) => r.id);
    if (missing.length === 0) return rows.map((r) => this.kept.get(r.id)!);
    const read = await recordFields(this.db, partnershipId, missing);
    const fresh = new Map(
      prepareRecords(read.map((r) => linkageRecordOf(r.id, r.fields))).map((r) => [r.id, r]),
    );
    const prepared = rows.map((r) => this.kept.get(r.id) ?? fresh.get(r.id)!);
    for (const [id, record] of fresh) this.kept.set(id, record);
    // The oldest go first (a Map iterates in insertion order).
    for (const id of this.kept.keys()) {
      if (this.kept.size <= KEEP_PREPARED) break;
      this.kept.delete(id);
    }
    return prepared;
  }

  private scorerFor(model: MatchModel): PairScorer {
    if (this.scorer?.model !== model) this.scorer = new PairScorer(model);
    return this.scorer;
  }

  /**
   * The partnership's model, kept for an hour. EM learns what matches look like only from a sample
   * that holds some: the records of people several agencies know, with as many other records drawn
   * at random. It is not told which are which.
   */
  private async modelFor(partnershipId: string): Promise<MatchModel | undefined> {
    const cached = this.models.get(partnershipId);
    if (cached && Date.now() - cached.trainedAt < MODEL_TTL_MS) return cached.model;
    const { rows } = await sql<{ id: string; fields: StoredFields }>`
      with current as (
        select l.source_record_id, l.person_id from record_links l
        where l.partnership_id = ${partnershipId} and l.status in ('auto_linked', 'confirmed')
          and l.ended_at is null
      ),
      known_twice as (
        select person_id from current group by person_id having count(*) > 1 limit ${TRAINING_SAMPLE / 4}
      ),
      sample as (
        (select source_record_id from current where person_id in (select person_id from known_twice))
        union
        (select source_record_id from current order by random() limit ${TRAINING_SAMPLE / 2})
      )
      select r.id, r.fields from source_records r
      where r.partnership_id = ${partnershipId} and r.id in (select source_record_id from sample)
    `.execute(this.db);
    if (rows.length < 2) return undefined;
    const sample = prepareRecords(rows.map((r) => linkageRecordOf(r.id, r.fields)));
    const { model } = matchRecords(sample, null, { threshold: Number.POSITIVE_INFINITY });
    this.models.set(partnershipId, { model, trainedAt: Date.now() });
    return model;
  }
}

/**
 * The records currently linked to a person that share a blocking key with the new one: ids only, the
 * fields are read for those not already prepared (recordFields).
 */
async function currentRecordsWithKeys(db: Db, partnershipId: string, keys: string[]) {
  const { rows } = await sql<{ id: string; personId: string }>`
    select r.id, l.person_id from source_records r
    join record_links l on l.partnership_id = r.partnership_id and l.source_record_id = r.id
      and l.status in ('auto_linked', 'confirmed') and l.ended_at is null
    where r.partnership_id = ${partnershipId} and r.match_keys && ${keys}::text[]
    limit ${MAX_CANDIDATES}
  `.execute(db);
  return rows;
}

async function recordFields(db: Db, partnershipId: string, ids: string[]) {
  const { rows } = await sql<{ id: string; fields: StoredFields }>`
    select id, fields from source_records where partnership_id = ${partnershipId} and id = any(${ids}::uuid[])
  `.execute(db);
  return rows;
}
