import { ApiToken } from "../access/api-token.entity";
import { Project } from "../access/project.entity";
import { AuditEvent } from "../audit/audit-event.entity";
import { StoredAssignment } from "../evaluation/stored-assignment.entity";
import { ExclusiveSlot } from "../evaluation/exclusive-slot.entity";
import { KeyClaim } from "../evaluation/key-claim.entity";
import { TestUser } from "../experiences/test-user.entity";
import { ExperienceGoal } from "../experiences/experience-goal.entity";
import { ExperienceGuardrail } from "../experiences/experience-guardrail.entity";
import { KeyValue } from "../experiences/key-value.entity";
import { ExperienceVersion } from "../experiences/experience-version.entity";
import { Experience } from "../experiences/experience.entity";
import { Variant } from "../experiences/variant.entity";
import { Goal } from "../goals/goal.entity";
import { FutureEvent, GoalRollup, UserGoalDay, UserGoalPre, UsersRollup } from "../results/rollup.entities";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import { Settings } from "../settings/settings.entity";
import { TrackedEvent } from "../tracking/tracked-event.entity";
import { Profile } from "../tracking/profile.entity";
import { WebhookAttempt } from "../webhooks/webhook-attempt.entity";
import { WebhookDelivery } from "../webhooks/webhook-delivery.entity";
import { Webhook } from "../webhooks/webhook.entity";

export const entities = [
  Project,
  ApiToken,
  AuditEvent,
  Key,
  Segment,
  Goal,
  Settings,
  Experience,
  ExperienceVersion,
  KeyValue,
  Variant,
  ExperienceGoal,
  ExperienceGuardrail,
  Profile,
  TrackedEvent,
  StoredAssignment,
  ExclusiveSlot,
  KeyClaim,
  TestUser,
  UsersRollup,
  GoalRollup,
  UserGoalDay,
  UserGoalPre,
  FutureEvent,
  Webhook,
  WebhookDelivery,
  WebhookAttempt,
];
