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

/** Candidates read per record at most: blocks are small, so this bounds only pathological keys. */
const MAX_CANDIDATES = 2_000;
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
    const candidates = prepareRecords(rows.map((r) => linkageRecordOf(r.id, r.fields)));
    const best = new Map<string, { probability: number; at: number }>();
    candidates.forEach((c, at) => {
      const probability = scorePair(model, record!, c);
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

/** The records currently linked to a person that share a blocking key with the new one. */
async function currentRecordsWithKeys(db: Db, partnershipId: string, keys: string[]) {
  const { rows } = await sql<{ id: string; personId: string; fields: StoredFields }>`
    select r.id, l.person_id, r.fields from source_records r
    join record_links l on l.partnership_id = r.partnership_id and l.source_record_id = r.id
      and l.status in ('auto_linked', 'confirmed') and l.ended_at is null
    where r.partnership_id = ${partnershipId} and r.match_keys && ${keys}::text[]
    limit ${MAX_CANDIDATES}
  `.execute(db);
  return rows;
}
