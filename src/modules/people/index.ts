export { seedPeople, countPeople, type PeopleCounts, type SeedProgress } from './people.seed.ts';
export {
  NORTHBRIDGE_LOCALITIES,
  WOMENS_NAMES,
  MENS_NAMES,
  FAMILY_NAMES,
  type LocalityCode,
} from './northbridge.ts';
export {
  IDENTIFIER_SYSTEMS,
  IDENTIFIER_LABELS,
  checkNhsNumber,
  checkUpn,
  checkChiNumber,
  checkIdentifier,
  identifierSchema,
  formatNhsNumber,
  isNhsTestNumber,
  isTemporaryUpn,
  modulus11CheckDigit,
  upnCheckLetter,
  type IdentifierSystem,
  type IdentifierCheck,
} from './people.identifiers.ts';
export { PeopleService, AGE_BANDS } from './people.service.ts';
export { registerPeopleRoutes } from './people.routes.ts';
export * as peopleSchemas from './people.schemas.ts';
