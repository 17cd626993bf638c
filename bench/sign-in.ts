/**
 * Signs in through the real form, as a browser would: the page's CSRF token, its cookie, then the
 * post. Answers the Cookie header a browser would then send: the session, and the CSRF secret the
 * first page after sign-in sets (without it, every page would make and sign a new one).
 */
export async function signIn(appUrl: string, email: string, password: string): Promise<string> {
  const page = await fetch(new URL('/sign-in', appUrl));
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('The sign-in page has no _csrf field');
  const csrfCookies = cookiePairs(page.headers.getSetCookie());

  const response = await fetch(new URL('/sign-in', appUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookies.join('; ') },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
  });
  const session = cookiePairs(response.headers.getSetCookie()).find((c) => c.startsWith('wa_session='));
  if (response.status !== 303 || !session) {
    throw new Error(`Signing in as ${email} answered ${response.status} without a session cookie`);
  }
  const firstPage = await fetch(new URL('/', appUrl), { headers: { cookie: session } });
  await firstPage.arrayBuffer();
  const csrfSecret = cookiePairs(firstPage.headers.getSetCookie()).find((c) => c.startsWith('wa_csrf='));
  return [session, ...(csrfSecret ? [csrfSecret] : [])].join('; ');
}

/** `name=value` of each Set-Cookie header, leaving out cookies being cleared. */
function cookiePairs(setCookies: string[]): string[] {
  return setCookies.map((c) => c.split(';')[0]!).filter((pair) => !pair.endsWith('='));
}
