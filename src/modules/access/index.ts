export { AccessService, partnershipOf } from './access.service.ts';
export { partnershipBySlug } from './access.store.ts';
export { SessionService, type SessionLookup, type SessionPolicy } from './access.sessions.ts';
export { TwoFactorService, type TwoFactorStatus } from './access.two-factor.service.ts';
export { TWO_FACTOR_REQUIRED_ROLES, twoFactorRequired, totpCode, otpauthUri } from './access.two-factor.ts';
export { OidcSignIn, type OidcSettings } from './access.oidc.ts';
export * as accessSchemas from './access.schemas.ts';
export { SECTORS, SECTOR_LABELS } from './access.schemas.ts';
export { registerAccessRoutes } from './access.routes.ts';
export { ApiTokenService, ApiTokenInput, API_TOKEN_PREFIX } from './access.api-tokens.ts';
export { registerApiTokenRoutes } from './access.api-tokens.routes.ts';
export { registerSignInRoutes } from './access.sign-in.routes.ts';
export {
  seedAccess,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  type DemoAccount,
  type NameLists,
} from './access.seed.ts';
export { AccessGate, PersonAccess, type PersonBasis, type GateOutcome } from './access.gate.ts';
export { InvolvementService } from './access.involvements.ts';
export { EmergencyAccessService } from './access.emergency.ts';
export { ConsentService } from './access.consent.ts';
export { SharingService } from './access.sharing.ts';
export * as trustSchemas from './access.trust.schemas.ts';
export { registerTrustRoutes } from './access.trust.routes.ts';
export { seedTrust } from './access.trust.seed.ts';
export { involvementInForce } from './access.trust.store.ts';
export * as familyUsers from './access.family-users.ts';
