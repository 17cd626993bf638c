import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { WriteWatch } from './fuzz-watch.ts';
import { breaksSchema, formValue, jsonValue, ODD_KEYS, type FieldSpec } from './fuzz-values.ts';
import { errorSummary, type Agent } from './web.ts';

/**
 * Sends generated bad input to one route and checks each answer: never a 5xx; a 400 names the
 * field; a refusal writes nothing; input the route's own schema rules out is refused. Problems are
 * collected rather than thrown, so one run lists every bug.
 */

export type FuzzTarget = {
  /** "POST /people/:personId/details": the route, as the app declares it. */
  route: string;
  method: 'GET' | 'POST';
  /** The concrete path, with real ids where the walk found them. */
  path: string;
  params: Record<string, string>;
  /** What a browser (or a well-behaved client) would send, before any mutation. */
  baseline: Record<string, unknown>;
  fields: FieldSpec[];
  /** The JSON API (bearer token, JSON bodies) rather than a page (session cookie, CSRF token, forms). */
  json: boolean;
  /** Found on a real page, with real ids; otherwise guessed from the route and other pages' ids. */
  real: boolean;
};

export type Caller = {
  name: string;
  agent?: Agent;
  /** The CSRF token of the agent's session, for forms. */
  csrf?: string;
  bearer?: string;
};

export type Problem = { route: string; kind: string; status: number; input: string; answer: string };

export type FuzzStats = {
  cases: number;
  byStatus: Map<number, number>;
  problems: Problem[];
  /** 400s whose error summary did not name any field that was changed (the baseline may have been wrong). */
  unnamedChangedField: string[];
};

export const newStats = (): FuzzStats => ({
  cases: 0,
  byStatus: new Map(),
  problems: [],
  unnamedChangedField: [],
});

type Sent = {
  body: Record<string, unknown>;
  /** Keys whose value was generated, and whether the schema rules that value out. */
  changed: string[];
  breaks: boolean;
  path?: string;
  query?: string;
  raw?: string;
  contentType?: string;
};

const short = (v: unknown) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
};

/** Form bodies byte by byte: repeated keys for arrays, as browsers send checkboxes. */
function formBody(values: Record<string, unknown>): string {
  // A lone surrogate cannot be UTF-8: a browser sends U+FFFD in its place, and so does this.
  const enc = (s: string) =>
    encodeURIComponent(
      s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
    );
  return Object.entries(values)
    .flatMap(([k, v]) =>
      v === undefined
        ? []
        : (Array.isArray(v) ? v : [v]).map(
            (x) => `${enc(k)}=${enc(typeof x === 'string' ? x : JSON.stringify(x))}`,
          ),
    )
    .join('&');
}

function fieldsNamed(response: LightMyRequestResponse, json: boolean): string[] {
  if (json) {
    try {
      const body = JSON.parse(response.body) as { fields?: { field: string }[] };
      return (body.fields ?? []).map((f) => f.field);
    } catch {
      return [];
    }
  }
  return errorSummary(response.body).map((line) => line.split(' ')[0]!.slice(1));
}

const IDEMPOTENCY = 'idempotency-key';
const NOWHERE = '00000000-0000-0000-0000-000000000000';
const PATH_VALUES = [
  'not-a-uuid',
  "1'%20OR%20'1'%3D'1",
  '%00',
  '%F0%9F%98%80',
  '%FF%FE',
  'x'.repeat(3000),
  NOWHERE,
  '..%2F..',
];

export class RouteFuzzer {
  constructor(
    private readonly app: FastifyInstance,
    private readonly watch: WriteWatch,
    private readonly stats: FuzzStats,
    /** Signs the caller in again if a case ended its session (sign-out, a reset of its own account). */
    private readonly revive: (caller: Caller) => Promise<void>,
  ) {}

  /** Generated mutations of the baseline: one to three fields replaced, dropped, doubled, or odd keys added. */
  mutations(target: FuzzTarget, runs: number, seed: number, asJson = target.json): Sent[] {
    const specs = new Map(target.fields.map((f) => [f.name, f]));
    const names = [...new Set([...target.fields.map((f) => f.name), ...Object.keys(target.baseline)])].filter(
      (n) => n !== '_csrf',
    );
    const key = fc.oneof(
      { weight: 5, arbitrary: names.length ? fc.constantFrom(...names) : fc.constant('q') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...ODD_KEYS),
      },
    );
    const change = key.chain((k) =>
      (asJson ? jsonValue(specs.get(k)) : formValue(specs.get(k))).map((v) => [k, v] as const),
    );
    const plans = fc.sample(fc.uniqueArray(change, { minLength: 1, maxLength: 3, selector: ([k]) => k }), {
      numRuns: runs,
      seed,
    });
    return plans.map((plan) => {
      const body: Record<string, unknown> = { ...target.baseline };
      for (const [k, v] of plan) body[k] = v;
      return {
        body,
        changed: plan.map(([k]) => k),
        breaks: plan.some(([k, v]) => breaksSchema(specs.get(k), v)),
      };
    });
  }

  /** Malformed ids and slugs in the path, with the baseline body: never found, never written. */
  pathCases(target: FuzzTarget): Sent[] {
    return Object.entries(target.params).flatMap(([param, id]) => {
      const inPath = target.path.includes(encodeURIComponent(id)) ? encodeURIComponent(id) : id;
      return PATH_VALUES.map((value) => ({
        body: { ...target.baseline },
        changed: [param],
        // A well-formed id that names nothing may be a no-op; anything else must be refused.
        breaks: value !== NOWHERE,
        path: target.path.replace(inPath, value),
      }));
    });
  }

  /**
   * Bodies that are not what the content type says, not an object, too large, or with bytes that are
   * not UTF-8. Only the first kinds must be refused: a page may take its form as JSON, and broken
   * bytes become U+FFFD, as in a browser.
   */
  bodyCases(target: FuzzTarget): Sent[] {
    const raw = (text: string, contentType: string, breaks = true): Sent => ({
      body: {},
      changed: ['body'],
      breaks,
      raw: text,
      contentType,
    });
    // Every field at once with a NUL character, which PostgreSQL text cannot hold.
    const nul: Sent = {
      body: Object.fromEntries(
        Object.entries(target.baseline).map(([k, v]) => [k, `${String(v as string)}\u0000`]),
      ),
      changed: Object.keys(target.baseline),
      breaks: false,
    };
    const tooLarge = `{"x":"${'x'.repeat(300_000)}"}`;
    if (target.json)
      return [
        nul,
        raw('[]', 'application/json'),
        raw('"text"', 'application/json'),
        raw('null', 'application/json'),
        raw('{"a":', 'application/json'),
        raw(
          '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}',
          'application/json',
        ),
        raw('<contact/>', 'application/xml'),
        raw(tooLarge, 'application/json'),
      ];
    const form = 'application/x-www-form-urlencoded';
    const base = formBody(target.baseline);
    const text = target.fields.find((f) => f.kind === 'text')?.name ?? 'fuzz_extra';
    return [
      nul,
      raw(`${base}&${encodeURIComponent(text)}=%FF%FE%C0%80%ED%A0%80`, form, false),
      raw(`${base}&%ZZ=%G1&&=&a[b]=c&a[b]=d`, form, false),
      raw(JSON.stringify(target.baseline), 'application/json', false),
      raw(`${base}&fuzz_extra=${'x'.repeat(300_000)}`, form),
      // Read as a plain string: refused where the route reads fields, harmless where it reads none.
      raw(base, 'text/plain', target.fields.length > 0),
    ];
  }

  /** Query strings for a page's search and filter boxes. */
  queryCases(target: FuzzTarget, runs: number, seed: number): Sent[] {
    return this.mutations(target, runs, seed, false).map((sent) => ({
      ...sent,
      breaks: false,
      query: formBody(sent.body),
    }));
  }

  async run(target: FuzzTarget, caller: Caller, cases: Sent[]) {
    for (const sent of cases) await this.one(target, caller, sent);
  }

  private async send(target: FuzzTarget, caller: Caller, sent: Sent): Promise<LightMyRequestResponse> {
    const url = `${sent.path ?? target.path}${sent.query ? `?${sent.query}` : ''}`;
    const headers: Record<string, string> = {};
    if (caller.bearer) headers.authorization = `Bearer ${caller.bearer}`;
    const cookies: Record<string, string> = {};
    for (const name of ['wa_session', 'wa_csrf']) {
      const value = caller.agent?.cookie(name);
      if (value) cookies[name] = value;
    }
    if (target.method === 'GET') {
      if (target.json) return this.app.inject({ method: 'GET', url, headers, cookies });
      return caller.agent!.get(url);
    }
    let payload: string;
    if (sent.raw !== undefined) {
      payload = sent.raw;
      headers['content-type'] = sent.contentType!;
      if (!target.json && caller.csrf) headers['x-csrf-token'] = caller.csrf;
    } else if (target.json) {
      // The API's header fields (its idempotency key) go in headers, which carry printable ASCII only.
      const { [IDEMPOTENCY]: key, ...body } = sent.body;
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
      if (key !== undefined)
        headers[IDEMPOTENCY] =
          typeof key === 'string' && /^[\x20-\x7e]*$/.test(key)
            ? key
            : encodeURIComponent(JSON.stringify(key));
    } else {
      payload = formBody({ ...sent.body, _csrf: caller.csrf });
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    return this.app.inject({ method: target.method, url, headers, cookies, payload });
  }

  private async one(target: FuzzTarget, caller: Caller, sent: Sent) {
    const mark = await this.watch.mark();
    let response: LightMyRequestResponse;
    try {
      response = await this.send(target, caller, sent);
    } catch (error) {
      this.problem(target, sent, 'request failed', 0, String(error));
      return;
    }
    const status = response.statusCode;
    this.stats.cases += 1;
    this.stats.byStatus.set(status, (this.stats.byStatus.get(status) ?? 0) + 1);
    const writes = await this.watch.since(mark);
    const answer = () => `${status} ${short(response.body.replace(/\s+/g, ' '))}`;
    if (status >= 500) this.problem(target, sent, 'server error', status, answer());
    if ((status === 400 || status === 422) && !sent.raw && !sent.path) {
      const named = fieldsNamed(response, target.json);
      if (named.length === 0) this.problem(target, sent, '400 names no field', status, answer());
      else if (
        sent.changed.every((c) => target.fields.some((f) => f.name === c)) &&
        !sent.changed.some((c) =>
          named.some((n) => n === c || n.startsWith(`${c}.`) || n.split('-')[0] === c.split('-')[0]),
        )
      )
        this.stats.unnamedChangedField.push(
          `${target.route}: changed ${sent.changed.join(',')}, named ${named.join(',')}`,
        );
    }
    if (writes.length && (status >= 400 || target.method === 'GET'))
      this.problem(
        target,
        sent,
        `wrote ${[...new Set(writes.map((w) => `${w.op} ${w.tableName}`))].join(', ')}`,
        status,
        answer(),
      );
    if (sent.breaks && status < 400) this.problem(target, sent, 'bad input accepted', status, answer());
    if (Object.prototype.hasOwnProperty.call(Object.prototype, 'isAdmin'))
      this.problem(target, sent, 'Object.prototype polluted', status, answer());
    if (caller.agent && !caller.agent.cookie('wa_session') && !target.route.includes(' /sign-in'))
      await this.revive(caller);
  }

  private problem(target: FuzzTarget, sent: Sent, kind: string, status: number, answer: string) {
    const input =
      sent.raw !== undefined
        ? `raw ${sent.contentType}: ${short(sent.raw)}`
        : short(Object.fromEntries(sent.changed.map((c) => [c, sent.body[c]])));
    this.stats.problems.push({
      route: `${target.route} (${sent.path ?? target.path})`,
      kind,
      status,
      input,
      answer,
    });
  }
}
