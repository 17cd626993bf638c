export { seedPeople, countPeople, type PeopleCounts, type SeedProgress } from './people.seed.ts';
export {
  NORTHBRIDGE_LOCALITIES,
  WOMENS_NAMES,
  MENS_NAMES,
  FAMILY_NAMES,
  type LocalityCode,
} from './northbridge.ts';
