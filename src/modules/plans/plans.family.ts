import type { Db } from '../../db/database.ts';
import type { AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';

/** Family accounts and the family's own view of their plan. */
export class FamilyService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
  ) {}
}
