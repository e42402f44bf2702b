import { Role, type Caller } from "../access/role";
import type { Database } from "../db/database";
import { sql } from "../db/sql";
import { changeProject } from "../db/unit-of-work";
import type { ExperienceChanges } from "../experiences/experience-changes";
import { ExperienceKind, ExperienceStatus } from "../experiences/experience-kind";
import type { ExperienceLifecycleService } from "../experiences/experience-lifecycle.service";
import { Experience } from "../experiences/experience.entity";
import { ok } from "../shared/result";
import { GuardrailAction } from "./analysis";
import type { ResultsService } from "./results.service";

/** How often every process checks every running test's guardrails: well within "at least once a minute". */
export const GUARDRAIL_INTERVAL_MS = 30_000;

/** Who records a breach and pauses a test, in the audit log and the history. */
export function guardrailCaller(projectId: string): Caller {
  return { projectId, role: Role.ADMIN, tokenId: "guardrail", tokenName: "guardrail", configVersion: 0 };
}

/**
 * Guardrails (RULES.md "Guardrails"): while an A/B test runs, a variant whose always-valid interval
 * on a guardrail goal lies wholly on the harmful side breaches it. The first breach since the test
 * last started is recorded on the test (a new version and its audit event, actor "guardrail") and,
 * with PAUSE, pauses the test in the same transaction. Checked by the scheduler in every process
 * (checkAll) and after every results read (check); exactly once, since the write re-reads the test
 * under the project's lock and records nothing when a breach is already there.
 */
export class GuardrailService {
  constructor(
    private readonly db: Database,
    private readonly results: ResultsService,
    private readonly changes: ExperienceChanges,
    private readonly lifecycle: ExperienceLifecycleService,
  ) {}

  /** Checks every running test that has guardrails and no breach yet; answers how many breaches it recorded. */
  async checkAll(): Promise<number> {
    const tests = await sql<{ id: string; project_id: string }>(
      this.db.reader,
      `SELECT DISTINCT e.id, e.project_id FROM experience e JOIN experience_guardrail g ON g.experience_id = e.id
        WHERE e.status = :running AND e.archived_at IS NULL AND e.guardrail_breach IS NULL ORDER BY e.id`,
      { running: ExperienceStatus.RUNNING },
    );
    let recorded = 0;
    for (const { id, project_id: projectId } of tests) {
      const test = await this.db.reader.findOne(Experience, { where: { id, projectId } });
      if (test && (await this.check(test))) recorded++;
    }
    return recorded;
  }

  /** Checks one test as read; answers whether this call recorded a breach. */
  async check(test: Experience): Promise<boolean> {
    if (
      test.kind !== ExperienceKind.AB_TEST ||
      test.status !== ExperienceStatus.RUNNING ||
      test.guardrailBreach
    )
      return false;
    const harm = await this.results.guardrailHarm(test);
    if (!harm) return false;
    const caller = guardrailCaller(test.projectId);
    const result = await changeProject(this.db, test.projectId, async (tx) => {
      const opened = await this.changes.open(tx, caller, {
        id: test.id,
        idField: ["id"],
        versionField: null,
        lock: true,
        archivedAction: "watch it",
      });
      if (!opened.ok) return opened;
      const { experience } = opened.value;
      // Another process recorded it first, or the test moved meanwhile: nothing left to do.
      if (experience.status !== ExperienceStatus.RUNNING || experience.guardrailBreach) return ok(false);
      experience.guardrailBreach = harm;
      if (experience.guardrailAction === GuardrailAction.PAUSE) {
        const paused = await this.lifecycle.move(tx, caller, opened.value, "pause", "guardrailBreach");
        if (!paused.ok) return paused;
      } else {
        await this.changes.commit(tx, caller, "guardrailBreach", opened.value);
      }
      return ok(true);
    });
    return result.ok && result.value;
  }
}
