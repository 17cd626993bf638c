import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import { formErrors, parseWith, type FormErrors } from '../../web/forms.ts';
import { placeKey, type Place } from './directory.geo.ts';
import { SearchQuery } from './directory.schemas.ts';
import type { ServiceSummary } from './directory.search.ts';
import type { DirectoryService } from './directory.service.ts';
import type { TaxonomyTerm } from './directory.taxonomy.ts';
import { ACCESS_ROUTES, DISTANCES_MILES, LANGUAGES } from './directory.vocabulary.ts';
import {
  accessWords,
  ageWords,
  capacityWords,
  costWords,
  currentSchedules,
  distanceWords,
  firstSentence,
  languageWords,
  moneyWords,
  schedulesSummary,
  scheduleWords,
  telHref,
} from './directory.words.ts';

type Services = { directory: DirectoryService };

const VIEWS = 'directory/views';

/** The search form's fields in page order: the error summary lists problems as the page shows them. */
const FIELDS = [
  'need',
  'age',
  'near',
  'within',
  'q',
  'cost',
  'access',
  'language',
  'kind',
  'page',
  'perPage',
];
/** The fields inside "More filters": the details opens when one of them is set or wrong. */
const MORE_FILTERS = ['q', 'cost', 'access', 'language', 'kind'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Area = { id: string; name: string; slug: string };

/**
 * The public directory: anyone, signed in or not, searches an area's services and reads one entry.
 * Search is a GET form, so every results page is a link a family can share. No personal data.
 */
export function registerDirectoryRoutes(app: FastifyInstance, services: Services) {
  const directory = services.directory;

  app.get('/areas/:slug/services', { config: { access: 'public' } }, async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const area = await directory.area(slug);
    const values = queryValues(request.query);
    const needs = await directory.needs(area.id);
    const show = (data: Record<string, unknown>, status?: number) =>
      searchPage(reply, { area, values, needs, ...data }, status);

    const parsed = parseWith(SearchQuery, values);
    if (!parsed.ok)
      return show({ errors: searchErrors(withSearchChecks(parsed.errors, values, needs)) }, 400);
    try {
      const found = await directory.search(area.id, parsed.data);
      const today = request.now().toISOString().slice(0, 10);
      const back = searchString(values, { withoutPage: false });
      const pages = Math.max(1, Math.ceil(found.total / found.perPage));
      const pageHref = (page: number) =>
        `/areas/${area.slug}/services?${searchString({ ...values, page: String(page) }, { withoutPage: false })}`;
      return show({
        total: found.total,
        countText: countText(found.total, found.place),
        results: found.results.map((s) => resultView(area, s, found.place, today, back)),
        pagination: pages > 1 ? pageLinks(pages, found.page, pageHref) : undefined,
        firstShown: found.total === 0 ? 0 : (found.page - 1) * found.perPage + 1,
        lastShown: Math.min(found.total, found.page * found.perPage),
        pastTheEnd: found.total > 0 && found.results.length === 0,
      });
    } catch (error) {
      if (error instanceof ValidationError) return show({ errors: searchErrors(error.fields) }, 400);
      throw error;
    }
  });

  app.get('/areas/:slug/services/:serviceId', { config: { access: 'public' } }, async (request, reply) => {
    const { slug, serviceId } = request.params as { slug: string; serviceId: string };
    const area = await directory.area(slug);
    if (!UUID.test(serviceId)) throw new NotFoundError('Service');
    const service = await directory.service(area.id, serviceId);
    const today = request.now().toISOString().slice(0, 10);
    const backQuery = searchString(queryValues(new URLSearchParams(firstString(request.query, 'back'))), {
      withoutPage: false,
    });
    return reply.page(`${VIEWS}/service.njk`, {
      area,
      service: serviceView(service, today),
      backHref: `/areas/${area.slug}/services${backQuery ? `?${backQuery}` : ''}`,
      backToResults: backQuery !== '',
    });
  });
}

function searchPage(
  reply: FastifyReply,
  data: Record<string, unknown> & { values: Record<string, string> },
  status?: number,
) {
  const errors = data.errors as FormErrors | undefined;
  const moreOpen =
    MORE_FILTERS.some((f) => (data.values[f] ?? '') !== '') ||
    MORE_FILTERS.some((f) => errors?.fields[f] !== undefined);
  return reply.page(
    `${VIEWS}/search.njk`,
    {
      ...data,
      needGroups: needGroups(data.needs as TaxonomyTerm[]),
      distances: DISTANCES_MILES,
      accessRoutes: ACCESS_ROUTES,
      languages: Object.entries(LANGUAGES)
        .map(([code, name]) => ({ code, name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      moreOpen,
    },
    status,
  );
}

/** The query string's fields as single strings (a repeated field counts once), only the form's own. */
function queryValues(query: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const get =
    query instanceof URLSearchParams
      ? (k: string) => query.get(k) ?? undefined
      : (k: string) => firstString(query, k) || undefined;
  for (const field of FIELDS) {
    const value = get(field);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

function firstString(query: unknown, key: string): string {
  const value = (query as Record<string, unknown> | undefined)?.[key];
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' ? first : '';
}

/** The search as a query string, empty fields left out, for links back to it and between its pages. */
function searchString(values: Record<string, string>, options: { withoutPage: boolean }): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = values[field];
    if (!value) continue;
    if (field === 'page' && (options.withoutPage || value === '1')) continue;
    params.set(field, value);
  }
  return params.toString();
}

/**
 * When the form has mistakes the search does not run; the need and the place are checked here too, so
 * every mistake is named at once rather than one per try.
 */
function withSearchChecks(errors: FieldError[], values: Record<string, string>, needs: TaxonomyTerm[]) {
  const all = [...errors];
  const has = (field: string) => all.some((e) => e.field === field);
  if (values.need && !has('need') && !needs.some((t) => t.code === values.need))
    all.push({ field: 'need', message: 'Select a need from the list' });
  const place = values.near && !has('near') ? placeKey(values.near) : null;
  if (place && 'error' in place) all.push({ field: 'near', message: place.error });
  return all;
}

/** What to say when the schema's own message is a generic one ('Invalid input'). */
const FALLBACK_MESSAGES: Record<string, string> = {
  q: 'Enter fewer search words',
  need: 'Select a need from the list',
  near: 'Enter a postcode, like NB4 7QT, or a place name',
  within: 'Select a distance from the list',
  page: 'Page must be a whole number, 1 or more',
  perPage: 'Results per page must be a whole number from 1 to 100',
};

/** Errors in page order; page and perPage have no box, so their message points at the search button. */
function searchErrors(errors: FieldError[]): FormErrors {
  const rank = (f: string) => (FIELDS.includes(f) ? FIELDS.indexOf(f) : FIELDS.length);
  const sorted = [...errors]
    .map((e) =>
      /^Invalid\b/.test(e.message) && FALLBACK_MESSAGES[e.field]
        ? { ...e, message: FALLBACK_MESSAGES[e.field]! }
        : e,
    )
    .sort((a, b) => rank(a.field) - rank(b.field));
  const formed = formErrors(sorted);
  for (const item of formed.summary) {
    if (item.href === '#page' || item.href === '#perPage') item.href = '#search-button';
  }
  return formed;
}

/** The needs as select groups: each top-level need with its narrower ones. */
function needGroups(terms: TaxonomyTerm[]) {
  const parents = terms.filter((t) => t.parentId === null || !terms.some((p) => p.id === t.parentId));
  return parents.map((p) => ({
    code: p.code,
    name: p.name,
    children: terms.filter((c) => c.parentId === p.id).map((c) => ({ code: c.code, name: c.name })),
  }));
}

function countText(total: number, place: Place | null): string {
  const services = total === 1 ? '1 service' : `${total.toLocaleString('en-GB')} services`;
  return `${services} found${place ? ` near ${place.label}` : ''}`;
}

/** One search result, every fact already in words. */
function resultView(area: Area, s: ServiceSummary, place: Place | null, today: string, back: string) {
  const address = s.location
    ? [
        s.location.name,
        s.location.addressLine1,
        s.location.city,
        s.location.postalCode.replace(' ', '\u00a0'),
      ]
        .filter(Boolean)
        .join(', ')
    : '';
  return {
    id: s.id,
    name: s.name,
    href: `/areas/${area.slug}/services/${s.id}${back ? `?${new URLSearchParams({ back }).toString()}` : ''}`,
    organisation: s.organizationName,
    summary: firstSentence(s.description),
    ages: ageWords(s.minimumAge, s.maximumAge),
    when: schedulesSummary(s.schedules, today),
    where: address || 'Online or by phone',
    distance: place && s.distanceMetres !== null ? distanceWords(s.distanceMetres) : '',
    access: accessWords(s.accessRoutes),
    cost: costWords(s.free),
    specialist: s.specialist,
    capacity: capacityWords(s.capacity, s.waitWeeks),
    phone: s.phone ? { text: s.phone, href: telHref(s.phone) } : null,
    email: s.email,
  };
}

type Detail = Awaited<ReturnType<DirectoryService['service']>>;

const STATUS_WARNINGS: Record<string, string> = {
  inactive: 'This service is not running at the moment.',
  defunct: 'This service has closed.',
  'temporarily closed': 'This service is closed for now. Contact them to find out when it opens again.',
};

/** Whether two bits of text say the same, ignoring case, spaces and full stops. */
const sameWords = (a: string, b: string) => {
  const plain = (t: string) =>
    t
      .toLowerCase()
      .replace(/[\s.]+/g, ' ')
      .trim();
  return plain(a) === plain(b);
};

/** A web address safe to link to: http or https only, anything else shown as text. */
const safeUrl = (url: string | null) => (url && /^https?:\/\/[^\s]+$/i.test(url) ? url : null);

/** The whole entry, every fact already in words. */
function serviceView(s: Detail, today: string) {
  const dateRange = (from: string | null, to: string | null) =>
    from && to ? { from, to } : from ? { from } : to ? { to } : null;
  return {
    id: s.id,
    name: s.name,
    statusWarning: STATUS_WARNINGS[s.status] ?? null,
    paragraphs: s.description
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean),
    ages: ageWords(s.minimumAge, s.maximumAge),
    eligibility: s.eligibilityDescription,
    specialist: s.specialist,
    schedules: currentSchedules(s.schedules, today).map((sc) => ({
      words: scheduleWords(sc),
      note: sc.description && scheduleWords(sc) !== sc.description && sc.byday ? sc.description : '',
      dates: dateRange(sc.validFrom, sc.validTo),
    })),
    locations: s.locations.map((l) => ({
      name: l.name,
      lines: [l.addressLine1, l.city, l.postalCode].filter(Boolean),
      online: l.locationType === 'virtual',
    })),
    access: accessWords(s.accessRoutes),
    professionalOnly: s.accessRoutes.length === 1 && s.accessRoutes[0] === 'professional_referral',
    cost: costWords(s.free),
    fees: sameWords(s.feesDescription, costWords(s.free)) ? '' : s.feesDescription,
    costOptions: s.costOptions.map((c) => ({
      option: c.option,
      amount: moneyWords(c.amount, c.currency),
      description: c.amountDescription,
    })),
    languages: languageWords(s.languages),
    contacts: s.contacts.map((c) => ({
      name: c.name,
      title: sameWords(c.title, c.name) ? '' : c.title,
      phone: c.phone ? { text: c.phone, href: telHref(c.phone) } : null,
      email: c.email,
    })),
    email: s.email,
    url: safeUrl(s.url),
    urlText: s.url,
    capacity: capacityWords(s.capacity, s.waitWeeks),
    capacityUpdatedAt: s.capacityUpdatedAt,
    assuredDate: s.assuredDate,
    needs: s.terms.map((n) => n.name),
    organisation: {
      name: s.organization.name,
      description: s.organization.description,
      url: safeUrl(s.organization.url),
      urlText: s.organization.url,
      email: s.organization.email,
      phone: s.organization.phone
        ? { text: s.organization.phone, href: telHref(s.organization.phone) }
        : null,
    },
  };
}

/** GOV.UK pagination items: first, last and the pages around the current one. */
function pageLinks(pages: number, current: number, href: (page: number) => string) {
  const shown = [...new Set([1, current - 1, current, current + 1, pages])]
    .filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  shown.forEach((p, i) => {
    if (i > 0 && p - shown[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: href(p), current: p === current });
  });
  return {
    items,
    previous: current > 1 && current <= pages ? { href: href(current - 1) } : undefined,
    next: current < pages ? { href: href(current + 1) } : undefined,
  };
}
