import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILY_LANGUAGES } from '../modules/plans/plans.family.schemas.ts';
import { createTranslations, LANGUAGES, loadMessages, localDate, translator, type Messages } from './i18n.ts';
import { createViews, srcDir } from './views.ts';

/** Every key of a message tree, dotted, with the {{params}} its message names. */
function flatten(messages: Messages, prefix = ''): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const [key, value] of Object.entries(messages)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string')
      keys.set(dotted, [...value.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort());
    else for (const [k, v] of flatten(value, dotted)) keys.set(k, v);
  }
  return keys;
}

/** The family's own pages: everything in them must come from the messages. */
const FAMILY_TEMPLATES = ['_layout', 'plan', 'activate', 'no-plan', 'not-found'].map((name) =>
  path.join(srcDir, 'modules/plans/views/family', `${name}.njk`),
);

describe('translations', () => {
  const english = flatten(loadMessages('en'));

  it('has every English message in Welsh, naming the same parameters, and nothing more', () => {
    const welsh = flatten(loadMessages('cy'));
    expect([...welsh.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, params] of english) expect(welsh.get(key), key).toEqual(params);
    for (const [key] of welsh) expect(translator('cy')(key), key).not.toBe(translator('en')(key));
  });

  it('has messages for every language a family account may choose', () => {
    expect([...FAMILY_LANGUAGES]).toEqual([...LANGUAGES]);
  });

  it('fills in parameters, falls back to English for a missing message, and answers an unknown key as itself', () => {
    const t = createTranslations({
      en: { a: { b: 'Hello {{name}}' }, c: 'Only in English' },
      cy: { a: { b: 'Helo {{name}}' } },
    });
    expect(t('cy')('a.b', { name: '<Mari>' })).toBe('Helo <Mari>');
    expect(t('cy')('c')).toBe('Only in English');
    expect(t('en')('no.such.key')).toBe('no.such.key');
  });

  it('writes dates as each language does', () => {
    expect(localDate('en', '2026-03-02')).toBe('2 March 2026');
    expect(localDate('cy', '2026-03-02')).toBe('2 Mawrth 2026');
    expect(localDate('cy', null)).toBe('');
  });

  it('gives templates t() and localDate in the language of the page', () => {
    const views = createViews();
    const render = (lang: string) =>
      views.renderString('{{ t("plan.title") }} {{ "2026-03-02" | localDate }}', { lang });
    expect(render('en')).toBe('Your family’s plan 2 March 2026');
    expect(render('cy')).toBe('Cynllun eich teulu 2 Mawrth 2026');
    expect(render('fr')).toBe('Your family’s plan 2 March 2026');
  });

  it('leaves no words in the family’s templates outside the messages, and every key they use exists', () => {
    for (const file of FAMILY_TEMPLATES) {
      const source = readFileSync(file, 'utf8');
      const outside = source
        .replace(/\{#[\s\S]*?#\}/g, '')
        .replace(/\{%[\s\S]*?%\}/g, '')
        .replace(/\{\{[\s\S]*?\}\}/g, '')
        .replace(/<[^>]*>/g, '');
      expect(outside.match(/\p{L}{2,}/gu), file).toBeNull();
      const literal = [...source.matchAll(/\b(?:text|titleText)\s*:\s*"([^"]*)"/g)].map((m) => m[1]);
      expect(
        literal.filter((text) => /\p{L}/u.test(text!)),
        file,
      ).toEqual([]);
      // A key built in the template (`"goals.status." + goal.status`) must at least begin some keys.
      for (const [, key] of source.matchAll(/\bt\("([\w.]+)"/g)) {
        const known = key!.endsWith('.')
          ? [...english.keys()].some((k) => k.startsWith(key!))
          : english.has(key!);
        expect(known, `${file}: ${key}`).toBe(true);
      }
    }
  });
});
