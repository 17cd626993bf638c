import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createInstance, type TOptions } from 'i18next';
import type nunjucks from 'nunjucks';

/**
 * Pages in the family's own language. Messages live in `locales/<lang>.json` under dotted keys
 * (`plan.title`); i18next looks them up, fills in `{{params}}` and falls back to English for
 * a key a language lacks. Templates call `t(key, params)` and `localDate`, which follow the `lang` of
 * the page being rendered. Staff pages are in English and do not use this.
 */

export const LANGUAGES = ['en', 'cy'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';
/** Each language named in itself, for the link that switches to it. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', cy: 'Cymraeg' };

export type Messages = { [key: string]: string | Messages };
export type Translate = (key: string, params?: Record<string, unknown>) => string;

const here = path.dirname(fileURLToPath(import.meta.url));

export function loadMessages(lang: Language): Messages {
  return JSON.parse(readFileSync(path.join(here, 'locales', `${lang}.json`), 'utf8')) as Messages;
}

/**
 * Translators over the given messages, English first; the pages use the ones in `locales/`. Separate
 * so that a test can give a language a missing key.
 */
export function createTranslations(resources: Record<Language, Messages>) {
  const i18n = createInstance();
  void i18n.init({
    resources: Object.fromEntries(LANGUAGES.map((lang) => [lang, { translation: resources[lang] }])),
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    // Nunjucks escapes what t() returns; escaping here as well would show `&amp;` on the page.
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  /** The messages of one language; a key it lacks is looked up in English, else the key is answered. */
  return (lang: Language): Translate => {
    const t = i18n.getFixedT(lang);
    return (key, params) => t(key, params as TOptions);
  };
}

export function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

export const translator = createTranslations({ en: loadMessages('en'), cy: loadMessages('cy') });

const dateFormats = new Map(
  LANGUAGES.map((lang) => [
    lang,
    new Intl.DateTimeFormat(`${lang}-GB`, {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }),
  ]),
);

/** A plain date ('2026-03-02') or an instant, as the language writes it: "2 March 2026", "2 Mawrth 2026". */
export function localDate(lang: Language, value: string | Date | null | undefined): string {
  if (!value) return '';
  const at = typeof value === 'string' ? new Date(`${value.slice(0, 10)}T00:00:00Z`) : value;
  return dateFormats.get(lang)!.format(at);
}

type TemplateContext = { ctx?: { lang?: unknown } };
const pageLanguage = (context: TemplateContext): Language =>
  isLanguage(context.ctx?.lang) ? context.ctx.lang : DEFAULT_LANGUAGE;

/** `t(key, params)` and `localDate` in templates, in the language of the page (`lang`). */
export function registerTranslations(env: nunjucks.Environment) {
  env.addGlobal('t', function (this: TemplateContext, key: string, params?: Record<string, unknown>) {
    return translator(pageLanguage(this))(key, params);
  });
  env.addFilter('localDate', function (this: TemplateContext, value: string | Date | null) {
    return localDate(pageLanguage(this), value);
  });
}

export const LANGUAGE_COOKIE = 'wa_lang';

/**
 * The language of a page: one chosen with the switch link (`?lang=cy`, then remembered in a cookie),
 * else one chosen before, else `fallback` (a family account's own language).
 */
export function requestLanguage(request: FastifyRequest, reply: FastifyReply, fallback: Language): Language {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  if (isLanguage(asked)) {
    reply.setCookie(LANGUAGE_COOKIE, asked, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: request.server.secureCookies,
      maxAge: 365 * 24 * 3600,
    });
    return asked;
  }
  const remembered = request.cookies[LANGUAGE_COOKIE];
  return isLanguage(remembered) ? remembered : fallback;
}
