import { performance } from 'node:perf_hooks';
import type pg from 'pg';

/**
 * Builds a large area for the outcomes benchmark straight into the tables, in bulk SQL
 * (INSERT ... SELECT generate_series), on a database already migrated and holding the demo
 * partnership (its users, agencies and signal rules are reused). Every row's id is derived from its
 * number (md5 of a name and the number), so later statements find the people, households and plans of
 * earlier ones without joins. Event times stop an hour before the build, so the server's background
 * refresh finds nothing new to count once the benchmark has counted everything.
 *
 * The shape, for `children` children (C):
 * - 20 localities (the demo's 4 and 16 more) of different sizes, the largest about 4 times the smallest;
 * - C / 2.2 households; each child lives in household (child mod households), 1 in 20 moved once;
 *   0.4 C adults, two in most households;
 * - 5 years of contacts, 5% of children a year (re-contacts concentrated on 15% of children), decided
 *   except the last 3 days';
 * - 0.12 C plans over 6 years (early help 45%, child in need 35%, child protection 10%, looked after
 *   10%), each for one household's children, reviewed about every 90 days (two goals, both rated at
 *   each review);
 * - `signalsPerChild` C signals over 5 years on a third of the children, and one alert per 30 signals.
 *
 * While loading, foreign-key triggers are off (session_replication_role = replica: the rows satisfy
 * them by construction), and the loaded tables' secondary indexes and the primary keys nothing refers
 * to are dropped and made again afterwards, which also checks the unique ones.
 */

export type BuildOptions = {
  partnershipId: string;
  children: number;
  signalsPerChild: number;
  log: (line: string) => void;
};
export type BuildResult = {
  rows: Record<string, number>;
  seconds: Record<string, number>;
  totalSeconds: number;
};

/** The tables the benchmark fills, in the order they are loaded. */
export const BUILT_TABLES = [
  'localities',
  'households',
  'people',
  'household_members',
  'contacts',
  'plans',
  'plan_children',
  'plan_stages',
  'plan_reviews',
  'plan_goals',
  'goal_ratings',
  'signals',
  'alerts',
] as const;

const PRIME = 2654435761;
const LOCALITIES = 20;
const YEARS = 5;

/** A uuid derived from a kind and a number (a SQL expression). */
export const uid = (kind: string, n: string) => `md5('bench:${kind}:' || (${n}))::uuid`;

export async function buildArea(client: pg.Client, options: BuildOptions): Promise<BuildResult> {
  const { partnershipId: P, log } = options;
  const N = options.children;
  const H = Math.ceil(N / 2.2);
  const ADULTS = Math.round(N * 0.4);
  const CONTACTS = Math.round(N * 0.05 * YEARS);
  const PLANS = Math.round(N * 0.12);
  const SIGNALS = Math.round(N * options.signalsPerChild);
  const ALERTS = Math.round(SIGNALS / 30);
  const seconds: Record<string, number> = {};
  const begun = performance.now();
  const step = async (name: string, work: () => Promise<unknown>) => {
    const at = performance.now();
    await work();
    seconds[name] = (performance.now() - at) / 1000;
    log(`  ${name}: ${seconds[name].toFixed(1)} s`);
  };
  const q = (text: string, values: unknown[] = []) => client.query(text, values);

  // Who records things: the demo's staff and agencies, and one of its signal rules.
  const users = (
    await q(`select id from users where partnership_id = $1 and 'family' <> all(roles) order by email`, [P])
  ).rows.map((r: { id: string }) => r.id);
  const organisations = (
    await q(`select id from organisations where partnership_id = $1 order by name`, [P])
  ).rows.map((r: { id: string }) => r.id);
  const rule = (
    await q(`select id, key from signal_rules where partnership_id = $1 order by key, version limit 1`, [P])
  ).rows[0] as { id: string; key: string } | undefined;
  if (users.length === 0 || organisations.length === 0 || !rule)
    throw new Error('The demo partnership has no staff, agencies or signal rules to build on');
  const userAt = (n: string) => `(select users from bench_staff)[1 + ((${n}) % ${users.length})]`;
  const orgAt = (n: string) =>
    `(select organisations from bench_staff)[1 + ((${n}) % ${organisations.length})]`;
  const base = [P];

  await q(`set session_replication_role = replica`);
  await q(`set synchronous_commit = off`);
  await q(`set maintenance_work_mem = '256MB'`);
  await q(`set work_mem = '64MB'`);
  // The build's clock: events end an hour ago; history starts on the first day of the month 5 years ago.
  await q(`create temp table bench_clock as
    select (now() - interval '1 hour') as until,
      cast(date_trunc('month', now() at time zone 'Europe/London') - interval '${YEARS} years' as date) as since,
      cast(now() at time zone 'Europe/London' as date) as today`);
  await q(
    `create temp table bench_staff as select cast($1 as uuid[]) as users, cast($2 as uuid[]) as organisations`,
    [users, organisations],
  );
  const UNTIL = `(select until from bench_clock)`;
  const SINCE = `(select since from bench_clock)`;
  const TODAY = `(select today from bench_clock)`;
  /** A random instant over the 5 years. */
  const anyTime = `(${SINCE}::timestamptz + random() * (${UNTIL} - ${SINCE}::timestamptz))`;

  const dropped = await dropIndexes(client);
  log(`  dropped ${dropped.length} indexes and keys for the load`);

  await step('localities', async () => {
    const have = Number(
      (
        await client.query<{ n: string }>(`select count(*) as n from localities where partnership_id = $1`, [
          P,
        ])
      ).rows[0]!.n,
    );
    await q(
      `insert into localities (partnership_id, code, name)
       select $1, 'bench' || k, 'Bench ward ' || k from generate_series(${have + 1}, ${LOCALITIES}) k`,
      [P],
    );
    // Households are given to localities in blocks whose sizes fall from the first to the last.
    await q(
      `create temp table bench_localities as
       with l as (select id, row_number() over (order by code) - 1 as idx from localities where partnership_id = $1),
       w as (select id, idx, 1.0 / (1 + 0.15 * idx) as weight from l),
       c as (select id, idx, sum(weight) over (order by idx) as upto, sum(weight) over () as total from w)
       select id, idx, floor(${H} * (upto - (1.0 / (1 + 0.15 * idx))) / total)::bigint as lo,
         floor(${H} * upto / total)::bigint as hi
       from c`,
      [P],
    );
  });

  await step('households', () =>
    q(
      `insert into households (partnership_id, id, locality_id, address_line1, town, postcode, created_at)
       select $1, ${uid('h', 'h')}, l.id, (h % 400 + 1) || ' Bench Street', 'Northbridge',
         'NB' || (l.idx + 30) || ' ' || (h % 9 + 1) || 'BA', ${SINCE}::timestamptz - interval '1 year'
       from generate_series(0, ${H - 1}) h join bench_localities l on h >= l.lo and h < l.hi`,
      [P],
    ),
  );

  const names = `(array['Amara','Ben','Chloe','Dev','Ella','Finn','Grace','Hamza','Isla','Jack','Kai','Lily','Mo','Nia','Oscar','Priya'])`;
  const families = `(array['Ahmed','Brown','Clarke','Davies','Evans','Fisher','Green','Hussain','Iqbal','Jones','Khan','Lewis','Morris','Nowak','Okafor','Patel','Smith','Taylor','Walker','Wilson'])`;
  await step('people', async () => {
    // Children: aged 0 to 17 today; 1 in 997 sealed. The record last changed at least a day ago.
    await q(
      `insert into people (partnership_id, id, kind, given_name, family_name, date_of_birth, sex, created_at, updated_at,
         sealed_at, sealed_reason)
       select $1, ${uid('c', 'd.i')}, 'child', ${names}[1 + d.i % 16], ${families}[1 + (d.i % ${H}) % 20], d.dob,
         case when d.i % 2 = 0 then 'female' else 'male' end, d.dob::timestamptz,
         least(d.dob::timestamptz + random() * (${UNTIL} - d.dob::timestamptz), now() - interval '1 day'),
         case when d.i % 997 = 0 then d.dob::timestamptz + interval '30 days' end,
         case when d.i % 997 = 0 then 'bench' end
       -- random() in the select list of a subquery: once a row (a lateral subquery that names no
       -- column of the row is worked out once for all of them).
       from (select i, ${TODAY} - 1 - floor(random() * (18 * 365 - 2))::int as dob from generate_series(0, ${N - 1}) i) d`,
      [P],
    );
    await q(
      `insert into people (partnership_id, id, kind, given_name, family_name, date_of_birth, sex, created_at, updated_at)
       select $1, ${uid('a', 'j')}, 'adult', ${names}[1 + (j * 7) % 16], ${families}[1 + (j % ${H}) % 20],
         ${TODAY} - (20 * 365 + floor(random() * 40 * 365))::int, case when j % 3 = 0 then 'male' else 'female' end,
         ${SINCE}::timestamptz - interval '1 year', ${SINCE}::timestamptz + random() * (${UNTIL} - ${SINCE}::timestamptz)
       from generate_series(0, ${ADULTS - 1}) j`,
      [P],
    );
  });

  await step('household_members', async () => {
    // 1 child in 20 moved once: half its life in another household, then in its own.
    await q(
      `insert into household_members (partnership_id, household_id, person_id, started_on, ended_on)
       select $1, ${uid('h', '(i * 31 + 1) % ' + H)}, p.id, p.date_of_birth,
         p.date_of_birth + (${TODAY} - p.date_of_birth) / 2
       from generate_series(0, ${N - 1}, 20) i
       join people p on p.partnership_id = $1 and p.id = ${uid('c', 'i')}
       where (${TODAY} - p.date_of_birth) >= 2`,
      [P],
    );
    await q(
      `insert into household_members (partnership_id, household_id, person_id, started_on)
       select $1, ${uid('h', `i % ${H}`)}, p.id,
         case when i % 20 = 0 and (${TODAY} - p.date_of_birth) >= 2
           then p.date_of_birth + (${TODAY} - p.date_of_birth) / 2 else p.date_of_birth end
       from generate_series(0, ${N - 1}) i
       join people p on p.partnership_id = $1 and p.id = ${uid('c', 'i')}`,
      [P],
    );
    await q(
      `insert into household_members (partnership_id, household_id, person_id, started_on)
       select $1, ${uid('h', `j % ${H}`)}, ${uid('a', 'j')}, ${SINCE} - 365
       from generate_series(0, ${ADULTS - 1}) j`,
      [P],
    );
  });

  await step('contacts', () =>
    q(
      `with c as (
         select k, ((k % ${Math.max(1, Math.round(N * 0.15))})::bigint * ${PRIME}) % ${N} as child, ${anyTime} as received_at,
           random() as r, random() as speed, random() as again
         from generate_series(0, ${CONTACTS - 1}) k),
       d as (
         select c.*, c.received_at < ${UNTIL} - interval '3 days' as decided,
           case when r < 0.35 then 'no_further_action' when r < 0.55 then 'information_and_signposting'
             when r < 0.75 then 'early_help' when r < 0.95 then 'statutory_assessment' else 'strategy_discussion' end as outcome
         from c)
       insert into contacts (partnership_id, received_at, recorded_at, due_at, channel, source, person_id, locality_id,
         worries, family_aware, consent, urgency, status, priority, claimed_by, claimed_at, outcome, level_of_need,
         decision_reason, decided_by, decided_at, final_at, re_referral)
       select $1, d.received_at, greatest(d.received_at, least(d.received_at + random() * interval '2 hours', ${UNTIL})),
         d.received_at + interval '1 day',
         (array['phone','email','online_form','police_notification'])[1 + d.k % 4],
         (array['1A','2A','3A','5A','6','8'])[1 + d.k % 6],
         ${uid('c', 'd.child')}, h.locality_id, 'Bench worry', true, 'given', 'standard',
         case when d.decided then 'decided' else 'new' end,
         case when d.decided then 'green' end,
         case when d.decided then ${userAt('d.k')} end,
         case when d.decided then d.received_at + interval '2 hours' end,
         case when d.decided then d.outcome end,
         case when d.decided then 'additional' end,
         case when d.decided then 'Bench decision' end,
         case when d.decided then ${userAt('d.k')} end,
         case when d.decided then d.received_at + interval '3 hours' + d.speed * interval '36 hours' end,
         case when d.decided then d.received_at + interval '3 hours' + d.speed * interval '36 hours' end,
         d.decided and d.outcome in ('statutory_assessment', 'strategy_discussion') and d.again < 0.2
       from d join households h on h.partnership_id = $1 and h.id = ${uid('h', `d.child % ${H}`)}`,
      base,
    ),
  );

  await step('plans', async () => {
    // Plan p is for household (p × PRIME mod households)'s children: no child is on two plans.
    await q(
      `create temp table bench_plans as
       select p, (p::bigint * ${PRIME}) % ${H} as household,
         case when p % 20 < 9 then 'early_help' when p % 20 < 16 then 'child_in_need'
           when p % 20 < 18 then 'child_protection' else 'looked_after' end as kind,
         ${SINCE} - 365 + floor(random() * (${TODAY} - 2 - (${SINCE} - 365)))::int as started_on,
         random() as length
       from generate_series(0, ${PLANS - 1}) p`,
    );
    await q(
      `alter table bench_plans add column closed_on date;
       update bench_plans set closed_on = started_on + case kind when 'early_help' then 180 + floor(length * 180)::int
         when 'child_in_need' then 180 + floor(length * 360)::int when 'child_protection' then 180 + floor(length * 180)::int
         else 365 + floor(length * 1095)::int end;
       update bench_plans set closed_on = null where closed_on > (select today from bench_clock) - 2;`,
    );
    await q(
      `insert into plans (partnership_id, id, kind, status, family_name, started_on, closed_on, close_reason,
         lead_professional_id, next_review_due, created_at, created_by, updated_at, updated_by)
       select $1, ${uid('plan', 'b.p')}, b.kind, case when b.closed_on is null then 'open' else 'closed' end,
         ${families}[1 + b.household % 20], b.started_on, b.closed_on,
         case when b.closed_on is not null then 'Goals met' end, ${userAt('b.p')},
         coalesce(b.closed_on, b.started_on + 90 * (1 + (${TODAY} - b.started_on) / 90)),
         b.started_on + interval '10 hours', ${userAt('b.p')},
         least(coalesce(b.closed_on, b.started_on + 90 * ((${TODAY} - 2 - b.started_on) / 90)) + interval '11 hours',
           now() - interval '1 day'),
         ${userAt('b.p')}
       from bench_plans b`,
      base,
    );
  });

  await step('plan_children', () =>
    q(
      `insert into plan_children (partnership_id, plan_id, person_id, added_on, removed_on, current)
       select $1, ${uid('plan', 'b.p')}, c.id, greatest(b.started_on, c.date_of_birth), b.closed_on, b.closed_on is null
       from bench_plans b
       cross join lateral generate_series(b.household, ${N - 1}, ${H}) i
       join people c on c.partnership_id = $1 and c.id = ${uid('c', 'i')}
       where c.date_of_birth <= coalesce(b.closed_on, ${TODAY})`,
      [P],
    ),
  );

  await step('plan_stages', () =>
    q(
      `insert into plan_stages (partnership_id, plan_id, kind, started_on, ended_on, reason, decided_by)
       select $1, ${uid('plan', 'b.p')}, b.kind, b.started_on, b.closed_on, 'Plan agreed with the family', ${userAt('b.p')}
       from bench_plans b`,
      [P],
    ),
  );

  await step('plan_reviews', async () => {
    await q(
      `create temp table bench_reviews as
       select b.p, k, b.started_on + 90 * k + ((b.p * 7 + k * 13) % 41 - 20) as held_on
       from bench_plans b cross join lateral generate_series(1, 30) k
       where b.started_on + 90 * k + ((b.p * 7 + k * 13) % 41 - 20) <= coalesce(b.closed_on, ${TODAY} - 2)`,
    );
    await q(
      `insert into plan_reviews (partnership_id, id, plan_id, held_on, kind, decisions, next_review_due, recorded_at, recorded_by)
       select $1, ${uid('review', "r.p || ':' || r.k")}, ${uid('plan', 'r.p')}, r.held_on, 'review', 'Carry on with the plan',
         r.held_on + 90, r.held_on + interval '1 day 10 hours', ${userAt('r.p + r.k')}
       from bench_reviews r`,
      base,
    );
  });

  await step('plan_goals', () =>
    q(
      `insert into plan_goals (partnership_id, id, plan_id, person_id, title, outcome_framework, outcome_code, baseline,
         baseline_on, target, created_at, created_by)
       select $1, ${uid('goal', 'b.p * 2 + g')}, ${uid('plan', 'b.p')}, case when g = 0 then pc.person_id end,
         case when g = 0 then 'Feel safe at home' else 'Go to school every day' end, 'bench', 'goal' || g,
         2 + (b.p + g) % 5, b.started_on, 8, b.started_on + interval '10 hours', ${userAt('b.p')}
       from bench_plans b cross join generate_series(0, 1) g
       left join (select distinct on (plan_id) plan_id, person_id from plan_children where partnership_id = $1
         order by plan_id, added_on, person_id) pc on pc.plan_id = ${uid('plan', 'b.p')}`,
      base,
    ),
  );

  await step('goal_ratings', () =>
    q(
      `insert into goal_ratings (partnership_id, goal_id, rated_on, score, rater, recorded_by, review_id, recorded_at)
       select $1, ${uid('goal', 'r.p * 2 + g')}, r.held_on, least(10, greatest(0, 2 + (r.p + g) % 5 + (r.k + r.p + g) % 4 - 1)),
         'family', ${userAt('r.p')}, ${uid('review', "r.p || ':' || r.k")}, r.held_on + interval '1 day 10 hours'
       from bench_reviews r cross join generate_series(0, 1) g`,
      base,
    ),
  );

  const categories = `(array['neglect','physical_harm','emotional_harm','domestic_abuse','exploitation','going_missing',
    'school_attendance','health_needs_not_met','mental_health','housing','parental_capacity','other'])`;
  const dataTypes = `(array['social_care','social_care','social_care','police','police','police','education','health',
    'health','housing','family_support','family_support'])`;
  const sensitivities = `(array['standard','standard','standard','standard','standard','standard','standard','health',
    'special_category','standard','standard','standard'])`;
  await step('signals', async () => {
    const chunk = 1_000_000;
    const worried = Math.max(1, Math.round(N / 3));
    for (let from = 0; from < SIGNALS; from += chunk) {
      const to = Math.min(SIGNALS, from + chunk) - 1;
      await q(
        `insert into signals (partnership_id, id, person_id, category, severity, description, observed_on, organisation_id,
           data_type, sensitivity, source, recorded_by, recorded_at)
         select $1, ${uid('s', 's.k')}, ${uid('c', `((s.k % ${worried}) * ${PRIME}) % ${N}`)}, ${categories}[1 + s.k % 12],
           1 + (s.k % 7) % 4, 'Bench worry', cast(s.at at time zone 'Europe/London' as date) - (s.k % 5)::int,
           ${orgAt('s.k')}, ${dataTypes}[1 + s.k % 12], ${sensitivities}[1 + s.k % 12], 'practitioner', ${userAt('s.k')}, s.at
         from (select k, ${anyTime} as at from generate_series(${from}, ${to}) k) s`,
        base,
      );
      log(`    signals ${to + 1} of ${SIGNALS}`);
    }
  });

  await step('alerts', async () => {
    const worried = Math.max(1, Math.round(N / 3));
    await q(
      `insert into alerts (partnership_id, person_id, rule_id, rule_key, signal_ids, explanation, routed_to, status,
         raised_at, updated_at, closed_at, closed_by, outcome)
       select $1, ${uid('c', `((a.k % ${worried}) * ${PRIME}) % ${N}`)}, $2, $3, '[]', 'Bench alert', 'front_door', 'closed',
         a.at, a.at + interval '2 days', a.at + interval '2 days', ${userAt('a.k')}, 'no_action'
       from (select k, ${anyTime} - interval '2 days' as at from generate_series(0, ${ALERTS - 1}) k) a`,
      [P, rule.id, rule.key],
    );
    // A few still open, one per child.
    await q(
      `insert into alerts (partnership_id, person_id, rule_id, rule_key, signal_ids, explanation, routed_to, status,
         raised_at, updated_at)
       select $1, ${uid('c', `(k * ${PRIME}) % ${N}`)}, $2, $3, '[]', 'Bench alert', 'front_door', 'open',
         ${UNTIL} - k * interval '1 minute' - interval '1 day', ${UNTIL} - k * interval '1 minute' - interval '1 day'
       from generate_series(0, ${Math.min(500, N) - 1}) k`,
      [P, rule.id, rule.key],
    );
  });

  // The demo's own rows were written just now: move their change times a day back (keeping their
  // order), so that only the benchmark's day of new records is new.
  await q(
    `update people set updated_at = updated_at - interval '1 day' where updated_at > now() - interval '1 day'`,
  );
  await q(
    `update plans set updated_at = updated_at - interval '1 day' where updated_at > now() - interval '1 day'`,
  );
  await q(
    `update goal_ratings set recorded_at = recorded_at - interval '1 day' where recorded_at > now() - interval '1 day'`,
  );

  await step('indexes', () => remakeIndexes(client, dropped));
  await q(`set session_replication_role = origin`);
  await step('analyze', () => q(`analyze`));
  const rows: Record<string, number> = {};
  for (const table of BUILT_TABLES)
    rows[table] = Number(
      (await client.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n,
    );
  return { rows, seconds, totalSeconds: (performance.now() - begun) / 1000 };
}

type Dropped = { table: string; name: string; definition: string; constraint: boolean };

/** Drops the loaded tables' secondary indexes, and their primary keys when no foreign key refers to them. */
async function dropIndexes(client: pg.Client): Promise<Dropped[]> {
  const tables = BUILT_TABLES.filter((t) => t !== 'localities');
  const { rows } = await client.query<Dropped>(
    `select c.relname as table, i.relname as name, pg_get_indexdef(i.oid) as definition, false as constraint
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
     where c.relname = any($1) and c.relnamespace = 'public'::regnamespace
       and not exists (select 1 from pg_constraint k where k.conindid = i.oid)
     union all
     select c.relname, k.conname, pg_get_constraintdef(k.oid), true
     from pg_constraint k join pg_class c on c.oid = k.conrelid
     where c.relname = any($1) and c.relnamespace = 'public'::regnamespace and k.contype = 'p'
       and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.confrelid = c.oid)`,
    [tables],
  );
  for (const d of rows) {
    await client.query(
      d.constraint ? `alter table ${d.table} drop constraint ${d.name}` : `drop index ${d.name}`,
    );
  }
  return rows;
}

async function remakeIndexes(client: pg.Client, dropped: Dropped[]) {
  // Primary keys first (the unique indexes after them check the data as they are made).
  for (const d of [...dropped].sort((a, b) => Number(b.constraint) - Number(a.constraint))) {
    await client.query(
      d.constraint ? `alter table ${d.table} add constraint ${d.name} ${d.definition}` : d.definition,
    );
  }
}

export type DayOptions = { partnershipId: string; children: number };

/**
 * A day's new records, written as if they had arrived since the last refresh (change times in the
 * last few minutes): 1,000 contacts (700 decided) and 300 decisions on earlier ones, 30,000 signals,
 * 100 alerts, 100 new plans (children, goals), 100 plans closed, 300 reviews with 600 goal ratings,
 * 50 births and 200 changed person records. Answers the rows written or changed per kind.
 */
export async function addDay(client: pg.Client, options: DayOptions): Promise<Record<string, number>> {
  const { partnershipId: P } = options;
  const N = options.children;
  const H = Math.ceil(N / 2.2);
  const PLANS = Math.round(N * 0.12);
  const q = async (text: string, values: unknown[] = [P]) => (await client.query(text, values)).rowCount ?? 0;
  const user = `(select id from users where partnership_id = $1 and 'analyst' <> all(roles) and 'family' <> all(roles)
    order by email limit 1)`;
  const org = `(select id from organisations where partnership_id = $1 order by name limit 1)`;
  const recent = `(now() - random() * interval '5 minutes')`;
  const child = (k: string) => uid('c', `((${k})::bigint * ${PRIME}) % ${N}`);
  const done: Record<string, number> = {};

  done['contacts received'] = await q(
    `insert into contacts (partnership_id, received_at, recorded_at, due_at, channel, source, person_id, locality_id,
       worries, family_aware, consent, urgency, status, priority, claimed_by, claimed_at, outcome, decided_by, decided_at,
       final_at, re_referral)
     select $1, t.at, now(), t.at + interval '1 day', 'phone', '1A', p.id, h.locality_id, 'Bench worry today', true, 'given',
       'standard', case when k % 10 < 7 then 'decided' else 'new' end, case when k % 10 < 7 then 'green' end,
       case when k % 10 < 7 then ${user} end, case when k % 10 < 7 then now() end,
       case when k % 10 < 7 then (array['early_help','statutory_assessment','no_further_action'])[1 + k % 3] end,
       case when k % 10 < 7 then ${user} end, case when k % 10 < 7 then now() end, case when k % 10 < 7 then now() end, false
     from (select k, ${recent} as at from generate_series(1, 1000) k) t
     join people p on p.partnership_id = $1 and p.id = ${child('t.k * 7')}
     join household_members m on m.partnership_id = $1 and m.person_id = p.id and m.ended_on is null
     join households h on h.partnership_id = $1 and h.id = m.household_id`,
  );
  done['contacts decided'] = await q(
    `update contacts set status = 'decided', priority = 'green', claimed_by = ${user}, claimed_at = now(),
       outcome = 'information_and_signposting', decided_by = ${user}, decided_at = now(), final_at = now(),
       version = version + 1
     where partnership_id = $1 and id in (select id from contacts where partnership_id = $1 and status = 'new'
       and received_at < now() - interval '1 hour' order by received_at limit 300)`,
  );
  done['signals'] = await q(
    `insert into signals (partnership_id, person_id, category, severity, description, observed_on, organisation_id,
       data_type, sensitivity, source, recorded_by, recorded_at)
     select $1, ${child('k * 3')}, 'neglect', 2, 'Bench worry today', current_date, ${org}, 'social_care', 'standard',
       'practitioner', ${user}, ${recent}
     from generate_series(1, 30000) k`,
  );
  done['alerts'] = await q(
    `insert into alerts (partnership_id, person_id, rule_id, rule_key, signal_ids, explanation, routed_to, status,
       raised_at, updated_at)
     select $1, ${child('k')}, r.id, r.key, '[]', 'Bench alert today', 'front_door', 'open', now(), now()
     from generate_series(1000, 1099) k
     cross join (select id, key from signal_rules where partnership_id = $1 order by key, version limit 1) r
     where not exists (select 1 from alerts a where a.partnership_id = $1 and a.person_id = ${child('k')}
       and a.rule_key = r.key and a.status <> 'closed')`,
  );
  done['plans started'] = await q(
    `insert into plans (partnership_id, id, kind, status, family_name, started_on, lead_professional_id, next_review_due,
       created_at, created_by, updated_at, updated_by)
     select $1, ${uid('plan', 'p')}, (array['early_help','child_in_need','child_protection','looked_after'])[1 + p % 4],
       'open', 'Bench', current_date, ${user}, current_date + 90, now(), ${user}, now(), ${user}
     from generate_series(${PLANS}, ${PLANS + 99}) p`,
  );
  await q(
    `insert into plan_stages (partnership_id, plan_id, kind, started_on, reason, decided_by)
     select $1, ${uid('plan', 'p')}, (array['early_help','child_in_need','child_protection','looked_after'])[1 + p % 4],
       current_date, 'Plan agreed with the family', ${user}
     from generate_series(${PLANS}, ${PLANS + 99}) p`,
  );
  done['plan children added'] = await q(
    `insert into plan_children (partnership_id, plan_id, person_id, added_on)
     select $1, ${uid('plan', 'p')}, c.id, current_date
     from generate_series(${PLANS}, ${PLANS + 99}) p
     cross join lateral generate_series((p::bigint * ${PRIME}) % ${H}, ${N - 1}, ${H}) i
     join people c on c.partnership_id = $1 and c.id = ${uid('c', 'i')}
     where not exists (select 1 from plan_children o where o.partnership_id = $1 and o.person_id = c.id and o.current)`,
  );
  done['goals'] = await q(
    `insert into plan_goals (partnership_id, id, plan_id, title, outcome_framework, outcome_code, baseline, baseline_on,
       created_at, created_by)
     select $1, ${uid('goal', 'p * 2 + g')}, ${uid('plan', 'p')}, 'Feel safe at home', 'bench', 'goal' || g, 3,
       current_date, now(), ${user}
     from generate_series(${PLANS}, ${PLANS + 99}) p cross join generate_series(0, 1) g`,
  );
  await client.query(
    `create temp table bench_day_plans as
    select id, row_number() over (order by id) as n from plans
    where partnership_id = $1 and status = 'open' and started_on < current_date - 30
    order by id limit 400`,
    [P],
  );
  done['plans closed'] = await q(
    `update plans set status = 'closed', closed_on = current_date, close_reason = 'Goals met', updated_at = now(),
       version = version + 1
     where partnership_id = $1 and id in (select id from bench_day_plans where n <= 100)`,
  );
  await q(
    `update plan_children set removed_on = current_date, current = false
     where partnership_id = $1 and plan_id in (select id from bench_day_plans where n <= 100) and current`,
  );
  await q(
    `update plan_stages set ended_on = current_date
     where partnership_id = $1 and plan_id in (select id from bench_day_plans where n <= 100) and ended_on is null`,
  );
  done['reviews'] = await q(
    `insert into plan_reviews (partnership_id, plan_id, held_on, kind, decisions, next_review_due, recorded_at, recorded_by)
     select $1, id, current_date, 'review', 'Carry on with the plan', current_date + 90, now(), ${user}
     from bench_day_plans where n > 100`,
  );
  await q(
    `update plans set next_review_due = current_date + 90, updated_at = now(), version = version + 1
     where partnership_id = $1 and id in (select id from bench_day_plans where n > 100)`,
  );
  done['goal ratings'] = await q(
    `insert into goal_ratings (partnership_id, goal_id, rated_on, score, rater, recorded_by, review_id, recorded_at)
     select $1, g.id, current_date, least(10, g.baseline + 1), 'family', ${user}, r.id, now()
     from bench_day_plans d
     join plan_reviews r on r.partnership_id = $1 and r.plan_id = d.id and r.held_on = current_date
     join plan_goals g on g.partnership_id = $1 and g.plan_id = d.id
     where d.n > 100`,
  );
  done['births'] = await q(
    `insert into people (partnership_id, id, kind, given_name, family_name, date_of_birth, created_at, updated_at)
     select $1, ${uid('born', 'k')}, 'child', 'Baby', 'Bench', current_date - 1, now(), now()
     from generate_series(1, 50) k`,
  );
  await q(
    `insert into household_members (partnership_id, household_id, person_id, started_on)
     select $1, ${uid('h', `(k * 997) % ${H}`)}, ${uid('born', 'k')}, current_date - 1 from generate_series(1, 50) k`,
  );
  done['person records changed'] = await q(
    `update people set given_name = given_name || 'e', updated_at = now(), version = version + 1
     where partnership_id = $1 and id in (select ${uid('c', `(k::bigint * ${PRIME}) % ${N}`)} from generate_series(5000, 5199) k)`,
  );
  return done;
}
