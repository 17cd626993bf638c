import { sql } from 'kysely';
import * as client from 'openid-client';
import type { Ctx } from '../../common/context.ts';
import type { Db } from '../../db/database.ts';
import type { AuditService } from '../audit/index.ts';
import { signInCtx, type SessionService, type SignInResult } from './access.sessions.ts';

/**
 * Sign-in through an OpenID Connect provider (an NHS or council identity service): the authorization
 * code flow with PKCE, state and nonce (openid-client). The provider's identity (issuer and subject)
 * is mapped to an account through `user_identities`; an unmapped identity whose provider vouches for
 * its email address is linked to the one active account with that address. The account then goes
 * through the same second factor as a password sign-in.
 */

export type OidcSettings = {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Shown on the button: "Sign in with <label>". */
  label: string;
  /** The callback address registered with the provider; by default this site's /sign-in/oidc/callback. */
  redirectUri: string | undefined;
};

/** What the browser keeps (in a signed cookie) between leaving for the provider and coming back. */
export type OidcPending = { state: string; nonce: string; verifier: string; redirectUri: string };

/** Who the provider says the person is. */
type Identity = { iss: string; sub: string; email: unknown; emailVerified: unknown };

/** A sign-in the provider could not vouch for, or that matches no account: shown on its own page. */
export class OidcRefusal extends Error {
  override name = 'OidcRefusal';
  constructor(
    readonly reason: 'unavailable' | 'failed' | 'unknown-account' | 'ambiguous',
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    private readonly settings: OidcSettings,
  ) {}

  get label(): string {
    return this.settings.label;
  }

  /** The provider's address to send the browser to, and what to keep until it comes back. */
  async start(defaultRedirectUri: string): Promise<{ url: string; pending: OidcPending }> {
    const config = await this.discover();
    const redirectUri = this.settings.redirectUri ?? defaultRedirectUri;
    const verifier = client.randomPKCECodeVerifier();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), verifier, redirectUri };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * The provider sent the browser back: exchange the code (checking state, nonce and PKCE), find the
   * account, then sign in as a password would, second factor included.
   */
  async finish(ctx: Ctx, query: URLSearchParams, pending: OidcPending): Promise<SignInResult> {
    const config = await this.discover();
    // The library checks state too; checked here first so the person is told what went wrong.
    if (query.get('state') !== pending.state) throw new OidcRefusal('failed', STATE_MISMATCH);
    const callback = new URL(pending.redirectUri);
    callback.search = query.toString();
    let identity: Identity;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new OidcRefusal('failed', `${this.label} did not say who you are. Try again.`);
      identity = {
        iss: claims.iss,
        sub: claims.sub,
        email: claims.email,
        emailVerified: claims.email_verified,
      };
      // Many providers put the email address only in the userinfo answer, not in the ID token.
      if (identity.email === undefined && tokens.access_token) {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        identity = { ...identity, email: info.email, emailVerified: info.email_verified };
      }
    } catch (error) {
      if (error instanceof OidcRefusal) throw error;
      throw new OidcRefusal('failed', failureMessage(error, this.label));
    }
    const account = await this.accountFor(ctx, identity);
    return this.sessions.signInIdentified(ctx, account, 'oidc');
  }

  /**
   * The linked account; failing that, the one account with the email address the provider has
   * verified, linked now (and audited). Anything else is refused.
   */
  private async accountFor(ctx: Ctx, claims: Identity): Promise<{ partnershipId: string; userId: string }> {
    const linked = await this.db
      .selectFrom('userIdentities')
      .select(['partnershipId', 'userId'])
      .where('issuer', '=', claims.iss)
      .where('subject', '=', claims.sub)
      .execute();
    if (linked.length > 1)
      throw new OidcRefusal(
        'ambiguous',
        'Your account is linked to more than one partnership. Ask your partnership administrator.',
      );
    if (linked[0]) return linked[0];

    const email = typeof claims.email === 'string' ? claims.email : undefined;
    if (!email || claims.emailVerified !== true)
      throw new OidcRefusal('unknown-account', unknownMessage(this.label));
    const matches = await this.db
      .selectFrom('users')
      .select(['partnershipId', 'id', 'active'])
      .where(sql<string>`lower(email)`, '=', email.toLowerCase())
      .execute();
    const [match] = matches;
    if (!match || matches.length > 1) throw new OidcRefusal('unknown-account', unknownMessage(this.label));
    // A deactivated account is not linked; the sign-in refuses it (and audits the refusal).
    if (!match.active) return { partnershipId: match.partnershipId, userId: match.id };

    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('userIdentities')
        .values({
          partnershipId: match.partnershipId,
          issuer: claims.iss,
          subject: claims.sub,
          userId: match.id,
        })
        .onConflict((oc) => oc.columns(['partnershipId', 'issuer', 'subject']).doNothing())
        .execute();
      await this.audit.record(tx, signInCtx(ctx, match.partnershipId), {
        action: 'user.identity.link',
        subjectType: 'user',
        subjectId: match.id,
        detail: { issuer: claims.iss, by: 'verified email' },
      });
    });
    return { partnershipId: match.partnershipId, userId: match.id };
  }

  /** Discovery once, on first use (the provider may be down at start-up); a failure is retried next time. */
  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (development and tests).
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      this.configuration = client
        .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
          execute: insecure ? [client.allowInsecureRequests] : [],
          timeout: 10,
        })
        .catch((error: unknown) => {
          this.configuration = undefined;
          throw new OidcRefusal(
            'unavailable',
            `${this.label} cannot be reached just now (${error instanceof Error ? error.message : 'no answer'}). Try again later, or sign in with your email address and password.`,
          );
        });
    }
    return this.configuration;
  }
}

function unknownMessage(label: string) {
  return `Your ${label} account is not linked to a Wraparound account. Ask your partnership administrator to check the email address on your account, or sign in with your email address and password.`;
}

const STATE_MISMATCH =
  'This sign-in did not match the one this browser started. Start again from the sign-in page.';

function failureMessage(error: unknown, label: string) {
  if ((error as { error?: string }).error === 'access_denied')
    return `You did not allow ${label} to sign you in. Start again from the sign-in page.`;
  return `Signing in with ${label} did not complete. Start again from the sign-in page.`;
}
