import { ApiToken } from "../access/api-token.entity";
import { Project } from "../access/project.entity";
import { AuditEvent } from "../audit/audit-event.entity";
import { Goal } from "../goals/goal.entity";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import { Settings } from "../settings/settings.entity";

export const entities = [Project, ApiToken, AuditEvent, Key, Segment, Goal, Settings];
