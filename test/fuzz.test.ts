import { writeFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import type { FormPage } from '../src/web/form-route.ts';
import { DEMO_SLUG } from '../src/seed/demo.ts';
import { buildCtx, buildSystemActor } from './helpers/context.ts';
import { createDemoApp, type DemoApp } from './helpers/fuzz-app.ts';
import { crawl, routePatterns, type Found } from './helpers/fuzz-forms.ts';
import { newStats, RouteFuzzer, type Caller, type FuzzStats, type FuzzTarget } from './helpers/fuzz-run.ts';
import { buildTargets, isJsonRoute, type CallerInfo } from './helpers/fuzz-targets.ts';
import { watchWrites, type WriteWatch } from './helpers/fuzz-watch.ts';
import { Agent } from './helpers/web.ts';

/**
 * Fuzz: every route the app serves, fed generated bad input (fast-check, from each route's zod
 * schema and the form on its page): wrong types, missing and doubled fields, oversized, unicode and
 * injection strings, malformed ids, bodies that are not what they claim. Never a 5xx; a 400 names
 * the field; a refusal writes nothing; what a schema rules out is refused.
 * FUZZ_RUNS sets the cases per route (default 6); FUZZ_SEED replays a run; FUZZ_ONLY (a regular
 * expression) fuzzes only the routes it matches, such as "POST /plans".
 */

// The zod schema of each GOV.UK form page, as its module registers it: the fields to break.
const formSchemas = vi.hoisted(() => new Map<string, z.ZodType>());
vi.mock(import('../src/web/form-route.ts'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    registerFormPage: <S extends z.ZodType>(app: FastifyInstance, page: FormPage<S>) => {
      formSchemas.set(page.url, page.schema);
      original.registerFormPage(app, page);
    },
  };
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);

/** Demo accounts between them holding every staff role; the first that may use a route fuzzes it. */
const ACCOUNTS = [
  'manager@northbridge.example',
  'social.worker@northbridge.example',
  'admin@northbridge.example',
  'privacy@northbridge.example',
  'voluntary@northbridge.example',
  'ed.clinician@northbridge.example',
  'analyst@northbridge.example',
];

let t: DemoApp;
let watch: WriteWatch;
let found: Found;
let targets: { target: FuzzTarget; caller: string }[];
const callers = new Map<string, Caller>();
const stats: FuzzStats = newStats();

let setUp = '';

beforeAll(async () => {
  const started = Date.now();
  t = await createDemoApp();
  const seeded = Date.now();
  watch = await watchWrites(t.db);
  const ids: string[] = [];
  const callerInfo: CallerInfo[] = [];
  for (const email of ACCOUNTS) {
    const agent = await t.signedIn(email);
    callers.set(email, { name: email, agent, csrf: await agent.csrfToken('/') });
    const user = await t.db
      .selectFrom('users')
      .select(['id', 'roles'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    ids.push(user.id);
    callerInfo.push({ name: email, roles: user.roles });
  }
  const anonymous = new Agent(t.app, t.clock);
  callers.set('anonymous', {
    name: 'anonymous',
    agent: anonymous,
    csrf: await anonymous.csrfToken('/sign-in'),
  });
  // The JSON API acts as a practitioner's account through a bearer token (privileged roles get none).
  const issued = await t.services.apiTokens.issue(buildCtx(buildSystemActor(t.demo.partnershipId)), ids[1]!, {
    name: 'Fuzz',
  });
  callers.set('api', { name: 'api', bearer: issued.token });

  const patterns = routePatterns(t.app);
  // The area's public pages are linked from nowhere inside the app: the walk starts there too.
  const publicPages = patterns
    .filter((p) => p.method === 'GET' && p.params.every((x) => x === 'slug') && !isJsonRoute(p.url))
    .map((p) => p.url.replace(':slug', DEMO_SLUG));
  found = await crawl(
    [...ACCOUNTS, 'anonymous'].map((name) => ({
      name,
      agent: callers.get(name)!.agent!,
    })),
    patterns,
    { maxPagesPerAgent: Number(process.env.FUZZ_PAGES ?? 100), startPages: publicPages },
  );
  setUp = `set-up ${((Date.now() - started) / 1000).toFixed(1)} s (demo data ${((seeded - started) / 1000).toFixed(1)} s)`;
  targets = buildTargets({
    patterns,
    found,
    formSchemas,
    openapi: t.app.swagger() as Parameters<typeof buildTargets>[0]['openapi'],
    callers: callerInfo,
    avoidIds: ids,
    knownParams: { slug: DEMO_SLUG },
  });
  // Signing out or changing one's own second factor go last: they may end the caller's session.
  targets.sort(
    (a, b) =>
      Number(/\/(sign-out|account\/)/.test(a.target.route)) -
      Number(/\/(sign-out|account\/)/.test(b.target.route)),
  );
}, 240_000);

afterAll(async () => {
  await t?.close();
});

describe('fuzzing every route', () => {
  it('has a target for every route the app serves, most with real ids from its pages', () => {
    const served = new Set(
      routePatterns(t.app)
        .filter((p) => p.method === 'GET' || p.method === 'POST')
        .map((p) => `${p.method} ${p.url}`),
    );
    expect(new Set(targets.map((x) => x.target.route))).toEqual(served);
    const posts = targets.filter((x) => x.target.method === 'POST');
    const guessed = posts.filter((x) => !x.target.real).map((x) => x.target.route);
    console.log(
      `fuzz: ${setUp}; ${found.pages} pages walked; ${targets.length} routes, ${posts.length} taking input; ` +
        `${posts.length - guessed.length} reached with real ids, guessed ids for: ${guessed.join(', ') || 'none'}`,
    );
    const unseen = targets.filter((x) => x.target.method === 'GET' && !found.urls.has(x.target.route));
    console.log(`fuzz: pages not reached by the walk: ${unseen.map((x) => x.target.route).join(', ')}`);
    expect(formSchemas.size).toBeGreaterThan(30);
    // The walk finds real records for most routes; far fewer means it has stopped finding its way.
    expect(posts.length - guessed.length).toBeGreaterThanOrEqual(posts.length * 0.75);
  });

  it(
    'answers bad input with a 4xx naming the field, never a 5xx, and writes nothing when it refuses',
    async () => {
      const fuzzer = new RouteFuzzer(t.app, watch, stats, async (caller) => {
        if (caller.name === 'anonymous' || caller.name === 'api') return;
        const agent = await t.signedIn(caller.name);
        caller.agent = agent;
        caller.csrf = await agent.csrfToken('/');
      });
      const only = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined;
      for (const [i, { target, caller }] of targets.entries()) {
        if (only && !only.test(target.route)) continue;
        const who = callers.get(caller)!;
        const seed = SEED + i;
        if (target.method === 'GET') {
          await fuzzer.run(target, who, [
            ...fuzzer.pathCases(target).slice(0, 3),
            ...fuzzer.queryCases(target, Math.ceil(RUNS / 3), seed),
          ]);
          continue;
        }
        await fuzzer.run(target, who, [
          ...fuzzer.pathCases(target),
          ...fuzzer.bodyCases(target),
          ...fuzzer.mutations(target, RUNS, seed),
        ]);
      }
      const statuses = [...stats.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
      console.log(
        `fuzz: ${stats.cases} cases (seed ${SEED}, ${RUNS} runs a route); answers ${statuses.join(' ')}; ` +
          `400s not naming a changed field: ${stats.unnamedChangedField.length}; problems: ${stats.problems.length}`,
      );
      for (const p of stats.problems.slice(0, Number(process.env.FUZZ_SHOW ?? 40)))
        console.log(`  ${p.kind} ${p.route}\n    sent ${p.input}\n    got ${p.answer}`);
      if (process.env.FUZZ_REPORT) await writeFile(process.env.FUZZ_REPORT, JSON.stringify(summary()));
      if (process.env.FUZZ_SHOW)
        console.log(stats.unnamedChangedField.slice(0, Number(process.env.FUZZ_SHOW)).join('\n'));
      expect(stats.problems).toEqual([]);
    },
    120_000 + RUNS * 30_000,
  );
});

/** The figures prove/fuzz.ts prints. */
function summary() {
  const posts = targets.filter((x) => x.target.method === 'POST');
  return {
    seed: SEED,
    runs: RUNS,
    routes: targets.length,
    routesTakingInput: posts.length,
    routesWithRealIds: posts.filter((x) => x.target.real).length,
    pagesWalked: found.pages,
    cases: stats.cases,
    answers: Object.fromEntries([...stats.byStatus.entries()].sort(([a], [b]) => a - b)),
    serverErrors: [...stats.byStatus.entries()].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0),
    unnamedChangedField: stats.unnamedChangedField.length,
    problems: stats.problems,
  };
}
