import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { AuditService } from "../audit/audit.service";
import type { Database } from "../db/database";
import { changeProject } from "../db/unit-of-work";
import { DEFAULT_ANALYSIS } from "../results/analysis";
import { mergedAnalysis, type AnalysisDraft } from "../results/analysis-rules";
import { fail, ok, type Result } from "../shared/result";
import { versionConflict } from "../shared/versions";
import { Settings, settingsView } from "./settings.entity";

export interface UpdateSettings {
  mutuallyExclusiveABTests?: boolean | null;
  defaultAnalysis?: AnalysisDraft | null;
  expectedVersion?: number | null;
}

export class SettingsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  /** Every project gets its settings row when it is created: exclusivity off, the default analysis (RULES.md). */
  async createFor(tx: EntityManager, projectId: string, now: Date): Promise<void> {
    await tx.insert(Settings, {
      projectId,
      mutuallyExclusiveABTests: false,
      defaultAnalysis: DEFAULT_ANALYSIS,
      updatedAt: now,
      version: 1,
    });
  }

  get(caller: Caller, manager: EntityManager = this.db.reader): Promise<Settings> {
    return manager.findOneOrFail(Settings, { where: { projectId: caller.projectId } });
  }

  /**
   * Changes only what is given. Existing A/B tests keep the exclusivity and the analysis they were
   * created with.
   */
  update(caller: Caller, input: UpdateSettings): Promise<Result<Settings>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const settings = await this.get(caller, tx);
      const conflict = versionConflict("project's settings", settings.version, input.expectedVersion, [
        "input",
        "expectedVersion",
      ]);
      if (conflict) return fail(conflict);
      const analysis = mergedAnalysis(settings.defaultAnalysis, input.defaultAnalysis, [
        "input",
        "defaultAnalysis",
      ]);
      if (!analysis.ok) return analysis;
      const before = settingsView(settings);
      if (input.mutuallyExclusiveABTests != null)
        settings.mutuallyExclusiveABTests = input.mutuallyExclusiveABTests;
      settings.defaultAnalysis = analysis.value;
      settings.updatedAt = new Date();
      settings.version += 1;
      await tx.save(Settings, settings);
      await this.audit.record(tx, caller, {
        action: "updateSettings",
        entityType: "Settings",
        entityId: caller.projectId,
        before,
        after: settingsView(settings),
      });
      return ok(settings);
    });
  }
}
