import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebServices } from '../../web/app.ts';
import { pathParams } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { CHRONOLOGY_CATEGORIES, ChronologyQuery } from './signals.chronology.ts';

type Services = Pick<WebServices, 'chronology'>;

const VIEWS = 'signals/views';
const TIME = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

/** The filter's categories in the order the page lists them, signals together under one heading. */
const CATEGORY_GROUPS = (() => {
  const all = Object.entries(CHRONOLOGY_CATEGORIES).map(([value, text]) => ({ value, text }));
  const signals = all.filter((c) => c.value.startsWith('signal:'));
  return {
    other: all.filter((c) => !c.value.startsWith('signal:')),
    signals: signals.map((c) => ({ ...c, text: c.text.replace(/^Signal: /, '') })),
  };
})();

/**
 * A child's chronology, its filters (a GET form that works without JavaScript) and the copy to
 * print for a case conference. Whether the person may see the child is the gate's to decide.
 */
export function registerChronologyRoutes(app: FastifyInstance, { chronology }: Services) {
  const show = async (request: FastifyRequest, reply: FastifyReply, print: boolean) => {
    const { personId } = pathParams(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const base = {
      personId,
      values: query,
      selectedCategories: formValues(query).flatMap(([name, value]) => (name === 'category' ? [value] : [])),
      categoryGroups: CATEGORY_GROUPS,
    };
    const parsed = parseWith(ChronologyQuery, query);
    // A filter that does not parse shows the form again; nothing about the child is read.
    if (!parsed.ok)
      return reply.page(`${VIEWS}/chronology.njk`, { ...base, errors: formErrors(parsed.errors) }, 400);
    const found = await chronology.timeline(request.ctx(), personId!, parsed.data, { print });
    const view = {
      ...base,
      ...found,
      entries: found.entries.map((e) => ({ ...e, time: e.at ? TIME.format(e.at) : null })),
      filters: parsed.data,
      categoryLabels: CHRONOLOGY_CATEGORIES,
      agencyName: found.agencies.find((a) => a.id === parsed.data.agency)?.name,
      queryString: new URLSearchParams(formValues(query)).toString(),
    };
    if (!print) return reply.page(`${VIEWS}/chronology.njk`, view);
    // The print styles sit in the page, allowed by the style nonce of this response's security policy.
    const styleNonce = (reply as unknown as { cspNonce?: { style?: string } }).cspNonce?.style;
    return reply.page(`${VIEWS}/chronology-print.njk`, { ...view, styleNonce });
  };

  app.get('/people/:personId/chronology', { config: { access: 'person' } }, (request, reply) =>
    show(request, reply, false),
  );
  app.get('/people/:personId/chronology/print', { config: { access: 'person' } }, (request, reply) =>
    show(request, reply, true),
  );
}

/** The query as form pairs, so the print link and the order links keep the filters chosen. */
function formValues(query: Record<string, unknown>): [string, string][] {
  return Object.entries(query).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value])
      .filter((v): v is string => typeof v === 'string' && v !== '')
      .map((v): [string, string] => [name, v]),
  );
}
