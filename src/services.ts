import type { Logger } from "pino";
import { AuthenticationService } from "./access/authentication.service";
import { ProjectService } from "./access/project.service";
import { TokenService } from "./access/token.service";
import { AuditService } from "./audit/audit.service";
import type { Database } from "./db/database";
import { EvaluationService } from "./evaluation/evaluation.service";
import { ABTestOperations } from "./experiences/ab-test-operations.service";
import { ExperienceChanges } from "./experiences/experience-changes";
import { ExperienceLifecycleService } from "./experiences/experience-lifecycle.service";
import { ExperienceReadModel } from "./experiences/experience-read-model";
import { ExperienceService } from "./experiences/experience.service";
import { GoalService } from "./goals/goal.service";
import { KeyService } from "./keys/key.service";
import { SegmentService } from "./segments/segment.service";
import { GuardrailService } from "./results/guardrails.service";
import { ResultsService } from "./results/results.service";
import { ResultRollups } from "./results/rollups";
import { SettingsService } from "./settings/settings.service";
import { SetupDocumentService } from "./setup-documents/setup-document.service";
import { TrackingService } from "./tracking/tracking.service";
import { systemClock, type Clock } from "./shared/clock";
import { noSignals, type Signals } from "./shared/signals";
import { UsageService } from "./usages/usage.service";
import { DEFAULT_WEBHOOK_POLICY, type WebhookPolicy } from "./config";
import { WebhookOutbox } from "./webhooks/webhook-outbox";
import type { Resolve } from "./webhooks/webhook-sender";
import { WebhookService } from "./webhooks/webhook.service";

/**
 * Every service of the server, wired once per process; resolvers reach them through the context.
 * `clock` is where everything that dates or depends on time (schedules, stale flags, assignments,
 * events, results days) reads "now"; tests move their own. Every change's audit event goes to the
 * webhooks' outbox in the change's transaction.
 */
export function createServices(
  db: Database,
  logger: Logger,
  clock: Clock = systemClock,
  signals: Signals = noSignals,
  webhookPolicy: WebhookPolicy & { resolve?: Resolve } = DEFAULT_WEBHOOK_POLICY,
) {
  const audit = new AuditService(db, [new WebhookOutbox()]);
  const usages = new UsageService(db);
  const settings = new SettingsService(db, audit);
  const experienceReads = new ExperienceReadModel(db, clock);
  const changes = new ExperienceChanges(experienceReads, audit, clock);
  const tokens = new TokenService(db, audit);
  const rollups = new ResultRollups(db);
  const experiences = new ExperienceService(db, changes, settings, clock);
  const experienceLifecycle = new ExperienceLifecycleService(db, changes, audit, clock, rollups);
  const results = new ResultsService(db, experienceReads, rollups, clock);
  const keys = new KeyService(db, audit, usages);
  const segments = new SegmentService(db, audit, usages);
  const goals = new GoalService(db, audit, usages);
  return {
    clock,
    experiences,
    experienceLifecycle,
    abTests: new ABTestOperations(db, changes, experiences, experienceLifecycle, rollups),
    experienceReads,
    evaluation: new EvaluationService(db, rollups, clock, signals),
    tracking: new TrackingService(db, rollups, clock, signals),
    results,
    guardrails: new GuardrailService(db, results, changes, experienceLifecycle),
    db,
    logger,
    audit,
    usages,
    settings,
    authentication: new AuthenticationService(db, logger),
    tokens,
    projects: new ProjectService(db, audit, settings, tokens),
    keys,
    segments,
    goals,
    webhooks: new WebhookService(db, audit, clock, webhookPolicy, webhookPolicy.resolve),
    setupDocuments: new SetupDocumentService(
      db,
      keys,
      segments,
      goals,
      settings,
      experiences,
      experienceLifecycle,
    ),
  };
}

export type Services = ReturnType<typeof createServices>;
