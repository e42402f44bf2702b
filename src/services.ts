import type { Logger } from "pino";
import { AuthenticationService } from "./access/authentication.service";
import { ProjectService } from "./access/project.service";
import { TokenService } from "./access/token.service";
import { AuditService } from "./audit/audit.service";
import type { Database } from "./db/database";
import { EvaluationService } from "./evaluation/evaluation.service";
import { ExperienceReadModel } from "./experiences/experience-read-model";
import { ExperienceService } from "./experiences/experience.service";
import { GoalService } from "./goals/goal.service";
import { KeyService } from "./keys/key.service";
import { SegmentService } from "./segments/segment.service";
import { ResultsService } from "./results/results.service";
import { SettingsService } from "./settings/settings.service";
import { TrackingService } from "./tracking/tracking.service";
import { UsageService } from "./usages/usage.service";

/** Every service of the server, wired once per process; resolvers reach them through the context. */
export function createServices(db: Database, logger: Logger) {
  const audit = new AuditService(db);
  const usages = new UsageService(db);
  const settings = new SettingsService(db, audit);
  const experienceReads = new ExperienceReadModel(db);
  const experiences = new ExperienceService(db, experienceReads, audit, settings);
  const tokens = new TokenService(db, audit);
  return {
    experiences,
    experienceReads,
    evaluation: new EvaluationService(db),
    tracking: new TrackingService(db),
    results: new ResultsService(db, experienceReads),
    db,
    logger,
    audit,
    usages,
    settings,
    authentication: new AuthenticationService(db, logger),
    tokens,
    projects: new ProjectService(db, audit, settings, tokens),
    keys: new KeyService(db, audit, usages),
    segments: new SegmentService(db, audit, usages),
    goals: new GoalService(db, audit, usages),
  };
}

export type Services = ReturnType<typeof createServices>;
