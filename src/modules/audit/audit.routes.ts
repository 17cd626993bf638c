import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { AuditService } from './audit.service.ts';
import { AuditSearch } from './audit.schemas.ts';

const VIEW = 'audit/views/search.njk';

/** The privacy officer's search of the audit trail. A search with mistakes shows them and runs nothing. */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditService) {
  app.get('/audit', { config: { access: 'audit.read' } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const parsed = parseWith(AuditSearch, query);
    if (!parsed.ok) return reply.page(VIEW, { values: query, errors: formErrors(parsed.errors) }, 400);
    try {
      const result = await audit.search(request.ctx(), parsed.data);
      const pageLink = (page: number) =>
        `/audit?${new URLSearchParams({ ...stringValues(query), page: String(page) }).toString()}`;
      return reply.page(VIEW, {
        values: query,
        search: parsed.data,
        ...result,
        links: pageLinks(result.pages, parsed.data.page, pageLink),
      });
    } catch (error) {
      if (error instanceof ValidationError)
        return reply.page(VIEW, { values: query, errors: formErrors(error.fields) }, 400);
      throw error;
    }
  });
}

function stringValues(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'page'),
  );
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
    previous: current > 1 ? { href: href(current - 1) } : undefined,
    next: current < pages ? { href: href(current + 1) } : undefined,
  };
}
