import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { contactInput } from '../bench/contact-input.ts';
import { signIn } from '../bench/sign-in.ts';
import { tokenHash } from '../src/modules/access/access.sessions.ts';
import { northbridgePlaces } from '../src/modules/people/index.ts';
import { DEMO_SLUG } from '../src/seed/demo.ts';

/**
 * The soak's mixed traffic on the demo partnership: each kind of request a partnership's working day
 * is made of, signed in as the person who makes it, with the ids it needs and the answer it must get.
 * A request that answers anything else, or nothing within the timeout, throws.
 */

/** `signal` ends the request when it is abandoned: it was started when the request fell due. */
export type Kind = { name: string; weight: number; send: (i: number, signal: AbortSignal) => Promise<void> };

type Answer = { status: number; body: string };

const READER = 'social.worker@northbridge.example';
const MANAGER = 'manager@northbridge.example';
const PLAN_LEAD = 'early.help@northbridge.example';
const REFERRER = 'teacher@northbridge.example';
/** How many children, names and plans the requests rotate over. */
const ROTATE = 40;

/** One HTTP request over a kept-alive connection, abandoned when `signal` aborts. */
function requester(appUrl: string) {
  const url = new URL(appUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const send = (
    signal: AbortSignal,
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers,
          signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', (error) =>
        reject(signal.aborted ? new Error(`${method} ${path} was not answered in time`) : error),
      );
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

function expect(what: string, answer: Answer, status: number, marker?: string) {
  if (answer.status !== status || (marker && !answer.body.includes(marker)))
    throw new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 200).replace(/\s+/g, ' ')}`);
}

/** What the traffic needs from the seeded database: the children, names and plans it works on. */
async function lookUp(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      (await client.query<R>(text, values)).rows;
    // Children the social worker may open: their own involvement or their team's, today.
    const children = await rows<{ id: string }>(
      `with me as (select id, partnership_id from users where email = $1)
       select distinct i.person_id as id from involvements i join me on i.partnership_id = me.partnership_id
       join people p on p.partnership_id = i.partnership_id and p.id = i.person_id and p.sealed_at is null
       where i.started_at <= now() and (i.ended_at is null or i.ended_at > now())
         and (i.user_id = me.id or i.team_id in (select m.team_id from memberships m
           where m.partnership_id = me.partnership_id and m.user_id = me.id
             and m.started_on <= current_date and (m.ended_on is null or m.ended_on > current_date)))
       order by i.person_id limit $2`,
      [READER, ROTATE],
    );
    const names = await rows<{ name: string }>(
      `select concat_ws(' ', given_name, family_name) as name from people
       where kind = 'child' and sealed_at is null order by md5(id::text) limit $1`,
      [ROTATE],
    );
    const plans = await rows<{ id: string; version: number; familyName: string }>(
      `select p.id, p.version, p.family_name as "familyName" from plans p
       join users u on u.partnership_id = p.partnership_id and u.id = p.lead_professional_id
       where u.email = $1 and p.status = 'open' order by p.id limit $2`,
      [PLAN_LEAD, ROTATE],
    );
    // An API token for the referrer, as a school's system would hold one.
    const token = `wra_soak${randomUUID().replaceAll('-', '')}`;
    await client.query(
      `insert into api_tokens (partnership_id, user_id, name, token_sha256, created_by, created_at)
       select partnership_id, id, 'soak', $2, null, now() from users where email = $1`,
      [REFERRER, tokenHash(token)],
    );
    if (children.length === 0 || plans.length === 0)
      throw new Error(`The demo gives ${READER} no children or ${PLAN_LEAD} no open plans`);
    return { children, names, plans, token };
  } finally {
    await client.end();
  }
}

/** Searches families make in the public directory: a need near a postcode, words, an age. */
function directorySearches(): string[] {
  const postcodes = northbridgePlaces()
    .filter((p) => p.kind === 'postcode')
    .slice(0, 10)
    .map((p) => p.label);
  const needs = ['parenting', 'early-years', 'mental-health', 'send', 'food', 'youth-clubs'];
  const words = ['toddler group', 'counselling', 'food bank', 'holiday club', 'debt advice', 'autism'];
  return needs.flatMap((need, n) =>
    [
      new URLSearchParams({
        need,
        age: String(2 + n * 2),
        near: postcodes[n % postcodes.length]!,
        within: '5',
      }),
      new URLSearchParams({ q: words[n]! }),
      new URLSearchParams({ age: String(n * 3), cost: 'free' }),
    ].map((q) => `/areas/${DEMO_SLUG}/services?${q.toString()}`),
  );
}

/**
 * Signs in and looks up what each kind needs, then sends one of each and checks the answer, so a
 * broken kind fails before anything is timed. `close` ends the kept-alive connections.
 */
export async function prepareTraffic(
  databaseUrl: string,
  appUrl: string,
  password: string,
  timeoutMs: number,
): Promise<{ kinds: Kind[]; close: () => void }> {
  const { children, names, plans, token } = await lookUp(databaseUrl);
  const [reader, manager, lead] = await Promise.all(
    [READER, MANAGER, PLAN_LEAD].map((email) => signIn(appUrl, email, password)),
  );
  const { send, close } = requester(appUrl);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(
    (await send(AbortSignal.timeout(timeoutMs), 'GET', `/plans/${plans[0]!.id}/summary`, { cookie: lead! }))
      .body,
  )?.[1];
  if (!csrf) throw new Error('The plan summary form has no _csrf field');
  const searches = directorySearches();

  // One editor per plan at a time, as people take turns on a form: each plan's updates queue behind
  // the one before, so no update races another (the concurrency prover does that). The version the
  // next save is checked against is the one this one made; after a failure, the form is read again.
  // An update still queued when it is abandoned is an error, never sent.
  const queues = plans.map(() => Promise.resolve());
  const stale = plans.map(() => false);
  const updatePlan = async (n: number, i: number, signal: AbortSignal) => {
    signal.throwIfAborted();
    const plan = plans[n]!;
    if (stale[n]) {
      const form = await send(signal, 'GET', `/plans/${plan.id}/summary`, { cookie: lead! });
      const version = /name="version" value="(\d+)"/.exec(form.body)?.[1];
      if (!version)
        throw new Error(`GET /plans/${plan.id}/summary answered ${form.status} without a version`);
      plan.version = Number(version);
      stale[n] = false;
    }
    const body = new URLSearchParams({
      _csrf: csrf,
      version: String(plan.version),
      familyName: plan.familyName,
      worries: `Soak edit ${i}: school attendance has dropped and the family has asked for help.`,
      strengths: 'Grandparents nearby and willing to help.',
    }).toString();
    try {
      const answer = await send(
        signal,
        'POST',
        `/plans/${plan.id}/summary`,
        { cookie: lead!, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      );
      expect(`POST /plans/${plan.id}/summary`, answer, 303);
      plan.version += 1;
    } catch (error) {
      stale[n] = true;
      throw error;
    }
  };

  const kinds: Kind[] = [
    {
      name: 'read child',
      weight: 30,
      send: async (i, signal) => {
        const id = children[i % children.length]!.id;
        expect(
          `GET /people/${id}`,
          await send(signal, 'GET', `/people/${id}`, { cookie: reader! }),
          200,
          '/access-log',
        );
      },
    },
    {
      name: 'person search',
      weight: 20,
      send: async (i, signal) => {
        const path = `/people?${new URLSearchParams({ name: names[i % names.length]!.name }).toString()}`;
        expect(`GET ${path}`, await send(signal, 'GET', path, { cookie: reader! }), 200);
      },
    },
    {
      name: 'directory search',
      weight: 20,
      send: async (i, signal) => {
        const path = searches[i % searches.length]!;
        expect(`GET ${path}`, await send(signal, 'GET', path), 200);
      },
    },
    {
      name: 'create contact',
      weight: 15,
      send: async (i, signal) => {
        const answer = await send(
          signal,
          'POST',
          '/api/contacts',
          {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': randomUUID(),
          },
          JSON.stringify(contactInput(i)),
        );
        expect('POST /api/contacts', answer, 201);
      },
    },
    {
      name: 'update plan',
      weight: 10,
      send: (i, signal) => {
        const n = i % plans.length;
        const done = queues[n]!.then(() => updatePlan(n, i, signal));
        queues[n] = done.catch(() => undefined);
        return done;
      },
    },
    {
      name: 'dashboard',
      weight: 5,
      send: async (_i, signal) => {
        expect(
          'GET /front-door/dashboard',
          await send(signal, 'GET', '/front-door/dashboard', { cookie: manager! }),
          200,
        );
      },
    },
  ];
  for (const kind of kinds) await kind.send(0, AbortSignal.timeout(timeoutMs));
  return { kinds, close };
}

/**
 * The kinds in a fixed, evenly spread order in proportion to their weights (smooth weighted round
 * robin): request i is of kind order[i % order.length], so every stretch of the run has the same mix.
 */
export function mixOrder(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const order: number[] = [];
  for (let n = 0; n < total; n++) {
    weights.forEach((w, k) => (current[k]! += w));
    const best = current.indexOf(Math.max(...current));
    current[best]! -= total;
    order.push(best);
  }
  return order;
}
