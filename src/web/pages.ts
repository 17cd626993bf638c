import type { FastifyInstance } from 'fastify';
import { isAllowed } from '../common/permissions.ts';
import { createViews } from './views.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page in the service layout, with the locals every page needs. */
    page(view: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** A one-off message shown on the next page (after a redirect). */
    flash(message: string): FastifyReply;
  }
}

const FLASH_COOKIE = 'wa_flash';

export function registerPages(app: FastifyInstance, demo: boolean) {
  const views = createViews();
  views.addGlobal('demoBanner', demo);

  app.decorateReply('flash', function (message: string) {
    return this.setCookie(FLASH_COOKIE, message, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
    });
  });

  app.decorateReply('page', function (view: string, data: Record<string, unknown> = {}, status?: number) {
    const request = this.request;
    const flashCookie = request.cookies[FLASH_COOKIE];
    const flash = flashCookie ? request.unsignCookie(flashCookie) : undefined;
    if (flashCookie) this.clearCookie(FLASH_COOKIE, { path: '/' });
    const actor = request.actor;
    const html = views.render(view, {
      ...data,
      actor,
      canAdminister: actor ? isAllowed(request.ctx(), 'partnership.administer') : false,
      canReadAudit: actor ? isAllowed(request.ctx(), 'audit.read') : false,
      can: actor
        ? {
            people: isAllowed(request.ctx(), 'person.access'),
            aggregates: isAllowed(request.ctx(), 'aggregates.view'),
            privacy: isAllowed(request.ctx(), 'emergency-access.review'),
            indexReview: isAllowed(request.ctx(), 'index.review'),
            indexImport: isAllowed(request.ctx(), 'index.import'),
            frontDoor: isAllowed(request.ctx(), 'contacts.triage'),
            contactCreate: isAllowed(request.ctx(), 'contacts.create'),
            contactsAnswer: isAllowed(request.ctx(), 'contacts.answer'),
            enquiries: isAllowed(request.ctx(), 'enquiries.record'),
          }
        : {},
      currentPath: request.url.split('?')[0],
      csrfToken: this.generateCsrf({ userInfo: request.sessionToken ?? 'anonymous' }),
      cspNonce: (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
      flash: flash?.valid ? flash.value : undefined,
    });
    if (status) this.status(status);
    return this.type('text/html; charset=utf-8').send(html);
  });
}
