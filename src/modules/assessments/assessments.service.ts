import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { FrontDoorService } from '../referrals/index.ts';

/** The integrated assessment: drafts answered section by section by several agencies, then finished. */
export class AssessmentService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly frontDoor: FrontDoorService,
  ) {}
}
