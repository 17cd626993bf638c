import { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import { isAllowed } from '../../common/permissions.ts';
import { pathParams, registerFormPage } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import type { WebServices } from '../../web/app.ts';
import { beginFileImport, runFileImport } from './people.import.ts';
import { parseLinkageMap } from './people.linkage-io.ts';
import { ImportInput, LinkDecision, UnlinkInput } from './people.schemas.ts';

type Services = Pick<WebServices, 'personIndex'>;
type Upload = { name: string; data: Buffer };

/** A file the form sent, or null when none was chosen (a browser sends an empty part). */
function uploaded(value: unknown): Upload | null {
  const file = value as Upload | undefined;
  return file?.data instanceof Buffer && file.data.length > 0 ? file : null;
}

const VIEWS = 'people/views/index';
/** The largest extract the web form takes; bigger ones go through `wraparound import`. */
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** The person index's pages: the review queue and its decisions, unlinking, and imports. */
export function registerPersonIndexRoutes(app: FastifyInstance, services: Services) {
  const index = services.personIndex;

  app.get('/index/review', { config: { access: 'index.review' } }, async (request, reply) =>
    reply.page(`${VIEWS}/queue.njk`, await index.reviewQueue(request.ctx())),
  );

  registerFormPage(app, {
    url: '/index/review/:linkId',
    access: 'index.review',
    view: `${VIEWS}/review.njk`,
    schema: LinkDecision,
    load: async (ctx, params) => {
      const pair = await index.reviewPair(ctx, params.linkId!);
      return {
        ...pair,
        canOpenContact: isAllowed(ctx, 'contacts.triage'),
        values: { version: pair.link.version },
      };
    },
    submit: async (ctx, data, params) => {
      await index.decideLink(ctx, params.linkId!, data.version, data.decision, data.note || null);
      const flash =
        data.decision === 'link'
          ? 'Linked: the record is now part of this person'
          : data.decision === 'not_same'
            ? 'Recorded as not the same person; it will not be proposed again'
            : 'Marked as needing more information';
      return { redirect: '/index/review', flash };
    },
  });

  registerFormPage(app, {
    url: '/index/links/:linkId/unlink',
    access: 'index.review',
    view: `${VIEWS}/unlink.njk`,
    schema: UnlinkInput,
    load: async (ctx, params) => {
      const pair = await index.reviewPair(ctx, params.linkId!);
      return { ...pair, values: { version: pair.link.version } };
    },
    submit: async (ctx, data, params) => {
      await index.unlink(ctx, params.linkId!, data.version, data.reason);
      return {
        redirect: '/index/review',
        flash:
          'Unlinked: the record is now a person of its own and will not be proposed for this person again',
      };
    },
  });

  app.get('/index/imports', { config: { access: 'index.import' } }, async (request, reply) =>
    reply.page(`${VIEWS}/imports.njk`, { imports: await index.recentImports(request.ctx()) }),
  );

  app.get('/index/imports/:importId', { config: { access: 'index.import' } }, async (request, reply) => {
    const { importId } = pathParams(request);
    return reply.page(`${VIEWS}/import.njk`, { imported: await index.findImport(request.ctx(), importId!) });
  });

  // The upload takes multipart form data; only this route's scope parses it.
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      // Each file arrives as its name and its bytes.
      onFile: async (part) => {
        part.value = { name: part.filename, data: await part.toBuffer() } satisfies Upload;
      },
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 2, fields: 5 },
    });
    const form = async (ctx: Parameters<typeof index.sources>[0]) => ({ sources: await index.sources(ctx) });

    scope.get('/index/imports/new', { config: { access: 'index.import' } }, async (request, reply) =>
      reply.page(`${VIEWS}/import-form.njk`, { ...(await form(request.ctx())), values: {} }),
    );

    scope.post('/index/imports/new', { config: { access: 'index.import' } }, async (request, reply) => {
      const ctx = request.ctx();
      const body = (request.body ?? {}) as Record<string, unknown>;
      const again = async (errors: ValidationError['fields']) =>
        reply.page(
          `${VIEWS}/import-form.njk`,
          { ...(await form(ctx)), values: { source: body.source }, errors: formErrors(errors) },
          400,
        );
      const parsed = parseWith(ImportInput, body);
      const problems = parsed.ok ? [] : [...parsed.errors];
      const csv = uploaded(body.file);
      const mapText = uploaded(body.map)?.data.toString('utf8') ?? null;
      if (!csv) problems.push({ field: 'file', message: 'Choose the CSV file of records to import' });
      let map;
      if (!mapText)
        problems.push({
          field: 'map',
          message: 'Choose the map.json that says which column holds which field',
        });
      else
        try {
          map = parseLinkageMap(mapText);
        } catch (error) {
          problems.push({ field: 'map', message: (error as Error).message });
        }
      if (problems.length > 0 || !parsed.ok || !csv || !map) return again(problems);
      const file = {
        source: parsed.data.source,
        fileName: csv.name,
        open: () => Readable.from([csv.data]),
        map,
      };
      try {
        const begun = await beginFileImport(index, ctx, file);
        // The import goes on after the answer; its page shows progress and, at the end, the summary.
        runFileImport(index, ctx, file, begun).catch((error: unknown) =>
          request.log.warn({ err: error, importId: begun.importId }, 'import failed'),
        );
        return reply.flash('Import started').redirect(`/index/imports/${begun.importId}`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return again(error.fields);
        throw error;
      }
    });
  });
}
