import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.ts';
import { spokenDate } from '../common/plain-dates.ts';
import { formErrors, parseWith } from './forms.ts';
import type { RouteAccess } from './route-access.ts';

type Params = Record<string, string>;
type Loaded = { values?: Record<string, unknown> } & Record<string, unknown>;

/** What a person calls a field, with words for its coded values ("in_progress" as "In progress"). */
export type FieldLabel = string | { label: string; choices: Record<string, string> };

export type FormPage<S extends z.ZodType, D extends Loaded = Loaded> = {
  url: string;
  access: RouteAccess;
  view: string;
  schema: S;
  /** What the page shows besides the form: choices for selects, the record's current values. */
  load(ctx: Ctx, params: Params): Promise<D>;
  /** Makes the change; answers where to go next and what to tell the person there. */
  submit(ctx: Ctx, data: z.output<S>, params: Params): Promise<{ redirect: string; flash: string }>;
  /**
   * The fields of `values` as a person reads them, for the list of what someone else saved while
   * they were editing; a field not named reads as its name spelt out. Given what `load` found, for
   * words that depend on it (a goal's title for its id).
   */
  fieldLabels?(data: D): Record<string, FieldLabel>;
  /**
   * False when `values` are only suggestions for a new step (today's date, a usual choice), not a
   * saved record: after a lost race there is nothing to compare the person's input with.
   */
  compare?: false;
};

/** A field someone else saved while this person was editing: what is saved now, and what they sent. */
export type SavedChange = { field: string; label: string; saved: string; yours: string };

/** Fields a person never typed: the record's version, the form's token, a retry's key. */
const TECHNICAL = new Set(['version', '_csrf', 'idempotencyKey', 'submissionId']);
const DATE_BOX = /^(.+)-(day|month|year)$/;

/** "ownerFamilyMember" as "Owner family member". */
const spelt = (name: string) => {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** One answer as text: a ticked box as "yes", a list in a stable order, Windows line ends as Unix ones. */
function answer(value: unknown, choices: Record<string, string> = {}): string {
  if (Array.isArray(value))
    return value
      .map((v) => answer(v, choices))
      .sort()
      .join(', ');
  if (value === undefined || value === null || value === false) return '';
  const raw = value === true ? 'yes' : typeof value === 'string' ? value : JSON.stringify(value);
  const text = raw.replace(/\r\n?/g, '\n').trim();
  return Object.hasOwn(choices, text) ? choices[text]! : text;
}

/** A GOV.UK date input's three boxes as one answer: "20 March 2026", or the boxes as typed if not a date. */
function dateAnswer(from: Record<string, unknown>, prefix: string): string {
  const [day, month, year] = ['day', 'month', 'year'].map((part) => answer(from[`${prefix}-${part}`]));
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = year!.length === 4 && date.getUTCDate() === d && date.getUTCMonth() === m - 1;
  return real ? spokenDate(date.toISOString().slice(0, 10)) : [day, month, year].filter(Boolean).join(' ');
}

/**
 * The fields whose saved value now differs from what the person sent. A field is compared when the
 * person sent it or the page names it (an unticked box sends nothing); the record's other values
 * (its id, when it was made) and technical fields never are. Date boxes read as one date.
 */
export function savedChanges(
  saved: Record<string, unknown>,
  sent: Record<string, unknown>,
  labels: Record<string, FieldLabel> = {},
): SavedChange[] {
  const isDate = (prefix: string) =>
    ['day', 'month', 'year'].every((part) => Object.hasOwn(saved, `${prefix}-${part}`));
  const fields = new Set<string>();
  for (const key of Object.keys(saved)) {
    if (TECHNICAL.has(key)) continue;
    const prefix = DATE_BOX.exec(key)?.[1];
    const field = prefix && isDate(prefix) ? prefix : key;
    if (Object.hasOwn(sent, key) || Object.hasOwn(labels, field)) fields.add(field);
  }
  return [...fields].flatMap((field) => {
    const named = Object.hasOwn(labels, field) ? labels[field] : undefined;
    const choices = typeof named === 'object' ? named.choices : undefined;
    const read = (from: Record<string, unknown>) =>
      isDate(field) ? dateAnswer(from, field) : answer(from[field], choices);
    const [now, yours] = [read(saved), read(sent)];
    if (now === yours) return [];
    const label = typeof named === 'object' ? named.label : (named ?? spelt(field));
    return [{ field, label, saved: now, yours }];
  });
}

const Uuid = z.uuid();

/** Ids in the path must be uuids; anything else is a page that does not exist. */
export function pathParams(request: FastifyRequest): Params {
  const params = (request.params ?? {}) as Params;
  for (const [key, value] of Object.entries(params)) {
    if (key.endsWith('Id') && !Uuid.safeParse(value).success) throw new NotFoundError('Page');
  }
  return params;
}

/**
 * The GET and POST of a GOV.UK form page: show it, parse what was sent with its schema, and on a
 * mistake show it again with status 400, the error summary and the person's own input kept.
 * A change refused as a conflict is shown again with status 409, the input kept too. When it lost a
 * race (the record's version moved on from the one sent), the form takes the new version, so saving
 * again is a choice made knowingly, and `mergeChanges` lists what the other save changed, for the
 * layout to show above the form.
 */
export function registerFormPage<S extends z.ZodType, D extends Loaded>(
  app: FastifyInstance,
  page: FormPage<S, D>,
) {
  app.get(page.url, { config: { access: page.access } }, async (request, reply) => {
    const params = pathParams(request);
    const data = await page.load(request.ctx(), params);
    return reply.page(page.view, { ...data, values: data.values ?? {} });
  });

  app.post(page.url, { config: { access: page.access } }, async (request, reply) => {
    const params = pathParams(request);
    const ctx = request.ctx();
    // Exactly what the person sent (an unticked checkbox sends nothing, so no default may fill it back in).
    const body = (request.body ?? {}) as Record<string, unknown>;
    const again = async (status: number, fieldList: ValidationError['fields']) => {
      const data = await page.load(ctx, params);
      const saved = data.values ?? {};
      const [now, sent] = [saved.version, body.version] as (string | number | undefined)[];
      const raced = status === 409 && now !== undefined && sent !== undefined && String(now) !== String(sent);
      if (!raced)
        return reply.page(page.view, { ...data, values: body, errors: formErrors(fieldList) }, status);
      const changes = page.compare === false ? [] : savedChanges(saved, body, page.fieldLabels?.(data));
      return reply.page(
        page.view,
        {
          ...data,
          values: { ...body, version: saved.version },
          errors: formErrors(fieldList),
          mergeChanges: changes.length ? changes : undefined,
        },
        status,
      );
    };
    const parsed = parseWith(page.schema, body);
    if (!parsed.ok) return again(400, parsed.errors);
    try {
      const { redirect, flash } = await page.submit(ctx, parsed.data, params);
      return reply.flash(flash).redirect(redirect, 303);
    } catch (error) {
      if (error instanceof ValidationError) return again(400, error.fields);
      if (error instanceof ConflictError) return again(409, [{ field: 'form', message: error.message }]);
      throw error;
    }
  });
}
