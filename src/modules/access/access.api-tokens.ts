import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor, Ctx } from '../../common/context.ts';
import { isSystem } from '../../common/context.ts';
import { ConflictError, NotFoundError } from '../../common/errors.ts';
import type { Db } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import { tokenHash } from './access.sessions.ts';
import type { AccessService } from './access.service.ts';
import * as store from './access.store.ts';
import { twoFactorRequired } from './access.two-factor.ts';

/** What an administrator names a token by: the system that will hold it. */
export const ApiTokenInput = z.object({
  name: z
    .string({ error: 'Enter a name for the token' })
    .trim()
    .min(1, 'Enter a name for the token, such as the system that will use it')
    .max(100, 'The name must be 100 characters or fewer'),
});
export type ApiTokenInput = z.output<typeof ApiTokenInput>;

/** Tokens start with a fixed prefix, so a leaked one is easy to recognise (and to scan for). */
export const API_TOKEN_PREFIX = 'wra_';
/** Writing last-used on every call would write on every read; once a minute is enough. */
const TOUCH_AFTER_MS = 60_000;

export type ApiTokenSummary = {
  id: string;
  name: string;
  createdAt: Date;
  createdByName: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/**
 * Tokens another system uses to call the JSON API as a named account (its roles and organisation
 * apply). Partnership administrators issue and revoke them; the token is shown once and only its
 * SHA-256 is kept (it is 32 random bytes, so a fast hash is enough), as for sessions.
 */
export class ApiTokenService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}

  /** Issues a token for an active account; the answer is the only place the token ever appears. */
  async issue(
    ctx: Ctx,
    userId: string,
    input: ApiTokenInput,
  ): Promise<{ id: string; name: string; token: string }> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'api-token.issue');
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.db.transaction().execute(async (tx) => {
      const user = await store.findUser(tx, partnershipId, userId);
      if (!user) throw new NotFoundError('User account');
      if (!user.active)
        throw new ConflictError('This account is deactivated: reactivate it before issuing a token');
      // A token skips the second factor, so accounts whose roles demand one never get a token.
      if (twoFactorRequired(user.roles))
        throw new ConflictError(
          'This account’s roles need two-factor sign-in, which a token would skip: issue the token to an account made for the other system',
        );
      const row = await tx
        .insertInto('apiTokens')
        .values({
          partnershipId,
          userId,
          name: input.name,
          tokenSha256: tokenHash(token),
          createdBy: isSystem(ctx.actor) ? null : ctx.actor.userId,
          createdAt: ctx.now,
        })
        .returning(['id', 'name'])
        .executeTakeFirstOrThrow();
      await this.audit.record(tx, ctx, {
        action: 'api-token.issue',
        subjectType: 'user',
        subjectId: userId,
        detail: { tokenId: row.id, name: row.name },
      });
      return { ...row, token };
    });
  }

  /** The account's tokens, newest first, revoked ones included (never the tokens themselves). */
  async list(ctx: Ctx, userId: string): Promise<ApiTokenSummary[]> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'api-token.list');
    const rows = await this.db
      .selectFrom('apiTokens as t')
      .leftJoin('users as c', (j) =>
        j.onRef('c.partnershipId', '=', 't.partnershipId').onRef('c.id', '=', 't.createdBy'),
      )
      .select([
        't.id',
        't.name',
        't.createdAt',
        't.lastUsedAt',
        't.revokedAt',
        'c.displayName as createdByName',
      ])
      .where('t.partnershipId', '=', partnershipId)
      .where('t.userId', '=', userId)
      .orderBy('t.createdAt', 'desc')
      .orderBy('t.id')
      .execute();
    await this.audit.recordAlone(ctx, {
      action: 'api-token.list',
      subjectType: 'user',
      subjectId: userId,
      detail: { shown: rows.length },
    });
    return rows;
  }

  /** Revokes a token at once: the next call with it is refused. Revoking twice is a conflict. */
  async revoke(ctx: Ctx, userId: string, tokenId: string): Promise<{ name: string }> {
    const partnershipId = await this.access.require(ctx, 'partnership.administer', 'api-token.revoke');
    return this.db.transaction().execute(async (tx) => {
      const token = await tx
        .selectFrom('apiTokens')
        .select(['name', 'revokedAt'])
        .where('partnershipId', '=', partnershipId)
        .where('userId', '=', userId)
        .where('id', '=', tokenId)
        .forUpdate()
        .executeTakeFirst();
      if (!token) throw new NotFoundError('API token');
      if (token.revokedAt) throw new ConflictError(`The token “${token.name}” was already revoked`);
      await tx
        .updateTable('apiTokens')
        .set({ revokedAt: ctx.now, revokedBy: isSystem(ctx.actor) ? null : ctx.actor.userId })
        .where('partnershipId', '=', partnershipId)
        .where('id', '=', tokenId)
        .execute();
      await this.audit.record(tx, ctx, {
        action: 'api-token.revoke',
        subjectType: 'user',
        subjectId: userId,
        detail: { tokenId, name: token.name },
      });
      return { name: token.name };
    });
  }

  /** The account a token acts as, if the token is known, not revoked, and the account is active. */
  async resolve(token: string | undefined, now: Date): Promise<Actor | null> {
    if (!token?.startsWith(API_TOKEN_PREFIX)) return null;
    const row = await this.db
      .selectFrom('apiTokens as t')
      .innerJoin('users as u', (j) =>
        j.onRef('u.partnershipId', '=', 't.partnershipId').onRef('u.id', '=', 't.userId'),
      )
      .select(['t.partnershipId', 't.id as tokenId', 't.lastUsedAt', 't.revokedAt'])
      .select(['u.id as userId', 'u.organisationId', 'u.roles', 'u.displayName', 'u.active'])
      .where('t.tokenSha256', '=', tokenHash(token))
      .executeTakeFirst();
    if (!row || row.revokedAt !== null || !row.active) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_AFTER_MS) {
      await this.db
        .updateTable('apiTokens')
        .set({ lastUsedAt: now })
        .where('partnershipId', '=', row.partnershipId)
        .where('id', '=', row.tokenId)
        .execute();
    }
    return {
      userId: row.userId,
      partnershipId: row.partnershipId,
      organisationId: row.organisationId,
      // Roles are checked against the role list when they are written.
      roles: row.roles as Actor['roles'],
      displayName: row.displayName,
    };
  }
}
