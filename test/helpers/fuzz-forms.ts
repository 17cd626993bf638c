import type { FastifyInstance } from 'fastify';
import type { Agent } from './web.ts';

/**
 * What the fuzz test learns from the app itself: every route it serves (so a new route is fuzzed
 * without anyone listing it), and, by walking the pages as each kind of user, a real address for
 * each route and the forms that post to it with the values a browser would send.
 */

export type RoutePattern = { method: string; url: string; access: string; regex: RegExp; params: string[] };

/** Every route the app declared (route-access.ts records them all), with a matcher for its path. */
export function routePatterns(app: FastifyInstance): RoutePattern[] {
  return app
    .routeAccessTable()
    .filter((r) => r.method !== 'HEAD' && !r.url.includes('*'))
    .map((r) => {
      const params: string[] = [];
      const source = r.url
        .split('/')
        .map((part) => {
          if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          params.push(part.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return {
        method: r.method,
        url: r.url,
        access: String(r.access),
        regex: new RegExp(`^${source}/?$`),
        params,
      };
    });
}

/** The route a concrete path is served by: a fixed segment wins over a parameter, as in Fastify's router. */
export function matchRoute(patterns: RoutePattern[], method: string, path: string) {
  let best: { pattern: RoutePattern; values: Record<string, string> } | undefined;
  for (const pattern of patterns) {
    if (pattern.method !== method) continue;
    const m = pattern.regex.exec(path);
    if (!m) continue;
    if (best && best.pattern.params.length <= pattern.params.length) continue;
    best = {
      pattern,
      values: Object.fromEntries(pattern.params.map((p, i) => [p, decodeURIComponent(m[i + 1]!)])),
    };
  }
  return best;
}

export type HtmlField = { name: string; type: string; value: string; options: string[]; checked: boolean };
export type FoundForm = { method: 'GET' | 'POST'; action: string; fields: HtmlField[]; page: string };

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m ? decode(m[1]!) : undefined;
};

/** The forms on a page: where each posts, and each field with the value a browser would send. */
export function formsIn(html: string, pageUrl: string): FoundForm[] {
  const forms: FoundForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = m[1]!;
    const body = m[2]!;
    const method = (attr(open, 'method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const action = attr(open, 'action') || pageUrl;
    const fields = new Map<string, HtmlField>();
    const add = (name: string | undefined, type: string, value: string, checked: boolean) => {
      if (!name) return;
      const field = fields.get(name) ?? { name, type, value: '', options: [], checked: false };
      if (type === 'radio' || type === 'checkbox' || type === 'select') {
        field.options.push(value);
        if (checked && !field.checked) field.value = value;
        field.checked ||= checked;
      } else field.value = value;
      fields.set(name, field);
    };
    for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
      const tag = input[0];
      const type = (attr(tag, 'type') ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'file') continue;
      add(
        attr(tag, 'name'),
        type,
        attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : ''),
        /\schecked\b/i.test(tag),
      );
    }
    for (const t of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi))
      add(attr(t[1]!, 'name'), 'textarea', decode(t[2]!), false);
    for (const s of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attr(s[1]!, 'name');
      for (const o of s[2]!.matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi))
        add(name, 'select', attr(o[1]!, 'value') ?? decode(o[2]!.trim()), /\sselected\b/i.test(o[1]!));
    }
    for (const b of body.matchAll(/<button\b([^>]*)>/gi)) {
      const name = attr(b[1]!, 'name');
      if (name) add(name, 'hidden', attr(b[1]!, 'value') ?? '', false);
    }
    forms.push({ method, action: decode(action), fields: [...fields.values()], page: pageUrl });
  }
  return forms;
}

/** The values a person filling the form in would send: what it shows, a choice where it offers one, text in empty boxes. */
export function baselineOf(form: FoundForm): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of form.fields) {
    if (f.type === 'checkbox') {
      if (f.checked) values[f.name] = f.value;
      continue;
    }
    if ((f.type === 'radio' || f.type === 'select') && !f.value) {
      const first = f.options.find((o) => o !== '');
      if (first !== undefined) values[f.name] = first;
      continue;
    }
    values[f.name] = f.value || fillIn(f);
  }
  return values;
}

function fillIn(f: HtmlField): string {
  if (/-day$/.test(f.name)) return '3';
  if (/-month$/.test(f.name)) return '4';
  if (/-year$/.test(f.name)) return '2020';
  if (f.type === 'email' || /email/i.test(f.name)) return 'fuzz.person@example.org';
  if (f.type === 'number' || f.type === 'tel') return '1';
  if (f.type === 'hidden' || f.type === 'password' || f.name === 'q') return '';
  return 'Fuzz baseline text';
}

const SKIP_LINKS = /^\/(assets|api\/docs|sign-out)|\.(csv|json|js|css|svg|png|ico)(\?|$)/;

export type Found = {
  /** Concrete addresses seen for each route ("GET /people/:personId"), and who saw them. */
  urls: Map<string, { url: string; agent: string }[]>;
  /** Forms seen, by the route they submit to, and who saw them. */
  forms: Map<string, { form: FoundForm; agent: string }[]>;
  pages: number;
};

/**
 * Walks the app's pages from the home page as each agent, following links, fetching each route's
 * page at most once per agent: enough to find a real address and form for every route a user of
 * that kind can reach, without reading every child's record.
 */
export async function crawl(
  agents: { name: string; agent: Agent }[],
  patterns: RoutePattern[],
  options: { maxPagesPerAgent: number; startPages: string[] },
): Promise<Found> {
  const found: Found = { urls: new Map(), forms: new Map(), pages: 0 };
  const note = <T>(map: Map<string, T[]>, key: string, value: T) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  // A record's page (a route with parameters) is read once, by the first agent it answers 200; a
  // refusal (another child, another team) lets the walk try a few more records of the route. Pages
  // without parameters (home, lists) are read by every agent: they are the way to each one's records.
  const read = new Set<string>();
  for (const { name, agent } of agents) {
    const queue = ['/', ...options.startPages];
    const tries = new Map<string, number>();
    const seenUrls = new Set<string>();
    let pages = 0;
    while (queue.length && pages < options.maxPagesPerAgent) {
      const url = queue.shift()!;
      const route = matchRoute(patterns, 'GET', url.split('?')[0]!);
      if (!route || seenUrls.has(url)) continue;
      const key = `GET ${route.pattern.url}`;
      if ((tries.get(key) ?? 0) >= 3 || (route.pattern.params.length > 0 && read.has(key))) continue;
      seenUrls.add(url);
      const response = await agent.get(url);
      pages += 1;
      const location = response.headers.location;
      if (response.statusCode === 303 && typeof location === 'string' && location.startsWith('/'))
        queue.unshift(location);
      const ok =
        response.statusCode === 200 && String(response.headers['content-type']).includes('text/html');
      tries.set(key, ok ? Infinity : (tries.get(key) ?? 0) + 1);
      if (!ok) continue;
      read.add(key);
      note(found.urls, key, { url, agent: name });
      for (const form of formsIn(response.body, url)) {
        const target = matchRoute(patterns, form.method, form.action.split('?')[0]!);
        if (target) note(found.forms, `${form.method} ${target.pattern.url}`, { form, agent: name });
      }
      for (const m of response.body.matchAll(/href="(\/[^"#]*)"/g)) {
        const link = decode(m[1]!);
        if (!SKIP_LINKS.test(link) && !seenUrls.has(link)) queue.push(link);
      }
    }
    found.pages += pages;
  }
  return found;
}
