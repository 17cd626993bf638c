import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';

/** What axe found on one page, trimmed to what a person fixing the markup needs. */
export type AxeFinding = {
  rule: string;
  impact: axe.ImpactValue | undefined;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; summary: string }[];
};

/** The impacts that fail a test; moderate and minor findings are recorded in the artifacts only. */
export const BLOCKING_IMPACTS: ReadonlySet<axe.ImpactValue | undefined> = new Set(['serious', 'critical']);

export async function runAxe(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axe.source);
  // A string expression: the page's `axe` global has no type on this (DOM-less) side.
  const results = await page.evaluate<axe.AxeResults>(`axe.run(document, { resultTypes: ['violations'] })`);
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(' '),
      html: n.html,
      summary: n.failureSummary ?? '',
    })),
  }));
}

/**
 * axe needs JavaScript, and running it in a context with JavaScript switched off crashes the page.
 * So a page seen without JavaScript is checked as a copy of its markup, scripts removed, loaded at
 * the same address in a JavaScript-enabled context (the stylesheets still come from the server).
 */
export async function runAxeOnMarkup(browser: Browser, url: string, html: string): Promise<AxeFinding[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.route('**/*.js', (route) => route.abort());
    await page.route(url, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: withoutScripts(html) }),
    );
    await page.goto(url);
    return await runAxe(page);
  } finally {
    await context.close();
  }
}

function withoutScripts(html: string): string {
  return html.replace(/<script\b[\s\S]*?<\/script>/gi, '');
}

export function describeFindings(pageLabel: string, url: string, findings: AxeFinding[]): string {
  const lines = [`${pageLabel} (${url}):`];
  for (const f of findings) {
    lines.push(`  ${f.rule} [${f.impact}] ${f.help}`);
    for (const n of f.nodes.slice(0, 5)) lines.push(`    at ${n.target}: ${n.html.slice(0, 200)}`);
  }
  return lines.join('\n');
}
