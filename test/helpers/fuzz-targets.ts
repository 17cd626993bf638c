import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { PERMISSIONS, type Permission } from '../../src/common/permissions.ts';
import { baselineOf, matchRoute, type Found, type FoundForm, type RoutePattern } from './fuzz-forms.ts';
import type { FuzzTarget } from './fuzz-run.ts';
import { exampleOf, fieldsOfJsonSchema, fieldsOfZod, type FieldSpec } from './fuzz-values.ts';

/**
 * One fuzz target per route the app serves: the address, the caller and the fields, from the best
 * source there is: a form found on a real page (real ids, the values a browser sends), then the
 * route's zod schema or OpenAPI description, then ids borrowed from other pages or made up.
 */

export type CallerInfo = { name: string; roles: readonly string[] };

type OpenApi = {
  paths?: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
        requestBody?: { content?: Record<string, { schema?: unknown }> };
      }
    >
  >;
};

export const isJsonRoute = (url: string) => /^\/(api|fhir|openreferral)\//.test(url);

function htmlFields(form: FoundForm): FieldSpec[] {
  return form.fields
    .filter((f) => f.name !== '_csrf')
    .map((f) => ({
      name: f.name,
      kind: f.options.length ? 'enum' : 'text',
      ...(f.options.length ? { options: f.options } : {}),
      fromSchema: false,
    }));
}

/** Schema fields first (they know what is required and what is allowed), the page's for the rest. */
function mergeFields(schema: FieldSpec[], page: FieldSpec[]): FieldSpec[] {
  const names = new Set(schema.map((f) => f.name));
  return [...schema, ...page.filter((f) => !names.has(f.name))];
}

function openApiFields(openapi: OpenApi, pattern: RoutePattern): FieldSpec[] {
  const path = pattern.url.replace(/:(\w+)/g, '{$1}');
  const operation = openapi.paths?.[path]?.[pattern.method.toLowerCase()];
  if (!operation) return [];
  const fromParameters = (operation.parameters ?? [])
    .filter((p) => p.in === 'query' || p.in === 'header')
    .flatMap((p) =>
      fieldsOfJsonSchema({
        type: 'object',
        properties: { [p.name]: p.schema ?? {} },
        required: p.required ? [p.name] : [],
      }),
    );
  const body = operation.requestBody?.content?.['application/json']?.schema;
  return [...fromParameters, ...(body ? fieldsOfJsonSchema(body) : [])];
}

export function buildTargets(options: {
  patterns: RoutePattern[];
  found: Found;
  formSchemas: Map<string, z.ZodType>;
  openapi: OpenApi;
  callers: CallerInfo[];
  /** Ids the fuzz must never aim at (its own accounts: deactivating them would end the run). */
  avoidIds: string[];
  /** Values for parameters no page links to with an id (an area's slug). */
  knownParams: Record<string, string>;
}): { target: FuzzTarget; caller: string }[] {
  const { patterns, found, formSchemas, openapi, callers, avoidIds } = options;
  const avoided = (url: string) => avoidIds.some((id) => url.includes(id));

  /** An id for a parameter, taken from any page that had one of that name. */
  const knownParams = new Map<string, string>(Object.entries(options.knownParams));
  for (const seen of found.urls.values())
    for (const { url } of seen) {
      const route = matchRoute(patterns, 'GET', url.split('?')[0]!);
      if (!route || avoided(url)) continue;
      for (const [k, v] of Object.entries(route.values)) if (!knownParams.has(k)) knownParams.set(k, v);
    }
  const fill = (pattern: RoutePattern) => {
    const params = Object.fromEntries(pattern.params.map((p) => [p, knownParams.get(p) ?? randomUUID()]));
    return { params, path: pattern.url.replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(params[p]!)) };
  };
  const callerFor = (access: string) => {
    if (access === 'public') return 'anonymous';
    const needed = (PERMISSIONS as Record<string, readonly string[]>)[access as Permission];
    const able = needed ? callers.find((c) => c.roles.some((r) => needed.includes(r))) : undefined;
    return able?.name ?? callers[0]!.name;
  };

  return patterns
    .filter((p) => p.method === 'GET' || p.method === 'POST')
    .map((pattern) => {
      const route = `${pattern.method} ${pattern.url}`;
      const json = isJsonRoute(pattern.url);
      const schemaFields = json
        ? openApiFields(openapi, pattern)
        : formSchemas.has(pattern.url)
          ? fieldsOfZod(formSchemas.get(pattern.url)!)
          : [];
      const method = pattern.method as 'GET' | 'POST';
      // A page's GET is fuzzed through its query string: the search and filter forms that send one.
      const formKey = method === 'GET' ? route : `POST ${pattern.url}`;
      const seen = (found.forms.get(formKey) ?? []).find(
        (f) => f.form.method === method && !avoided(f.form.action) && !avoided(f.form.page),
      );
      if (seen && !json) {
        const path =
          method === 'GET' ? (found.urls.get(route)?.[0]?.url ?? seen.form.action) : seen.form.action;
        const match = matchRoute(patterns, method, path.split('?')[0]!);
        const fields =
          method === 'GET' ? htmlFields(seen.form) : mergeFields(schemaFields, htmlFields(seen.form));
        const baseline = baselineOf(seen.form);
        delete baseline._csrf;
        return {
          caller: seen.agent,
          target: {
            route,
            method,
            path: path.split('?')[0]!,
            params: match?.values ?? {},
            baseline,
            fields,
            json,
            real: true,
          },
        };
      }
      const page = method === 'GET' ? found.urls.get(route)?.find((u) => !avoided(u.url)) : undefined;
      const match = page ? matchRoute(patterns, 'GET', page.url.split('?')[0]!) : undefined;
      const { params, path } = match
        ? { params: match.values, path: page!.url.split('?')[0]! }
        : fill(pattern);
      return {
        caller: json ? 'api' : (page?.agent ?? callerFor(pattern.access)),
        target: {
          route,
          method,
          path,
          params,
          baseline: exampleOf(schemaFields, json),
          fields: schemaFields,
          json,
          real: Boolean(page) || pattern.params.every((p) => knownParams.has(p)),
        },
      };
    });
}
