import type { EntityManager } from "typeorm";
import type { Caller } from "../access/role";
import type { Database } from "../db/database";
import { sql } from "../db/sql";
import { changeProject } from "../db/unit-of-work";
import { nameHolder } from "../setup/named-row";
import { sameValue } from "../shared/json";
import { characterCount, MAX_NAME_LENGTH, nameKeyOf } from "../shared/names";
import { fail, ok, type Result } from "../shared/result";
import { UserErrors } from "../shared/user-error";
import type { ExperienceChanges, OpenChange } from "./experience-changes";
import { ExperienceKind } from "./experience-kind";
import type { ExperienceLifecycleService } from "./experience-lifecycle.service";
import { editError, nextStatus, testUserErrors, type TestUserPin } from "./experience-rules";
import type { SnapshotVariant } from "./experience-snapshot";
import type { ExperienceService } from "./experience.service";
import { Experience } from "./experience.entity";
import { TestUser } from "./test-user.entity";
import type { ResultRollups } from "../results/rollups";

/** GraphQL's Int: a priority above this cannot be given or shown. */
const MAX_PRIORITY = 2_147_483_647;

/**
 * What a team does with a test besides editing it (RULES.md, "A/B test operations"): pin QA users
 * to variants, mark a winner, and end the test by rolling a variant out to its segment. Each is a
 * version of the test, through ExperienceChanges like every other change.
 */
export class ABTestOperations {
  constructor(
    private readonly db: Database,
    private readonly changes: ExperienceChanges,
    private readonly experiences: ExperienceService,
    private readonly lifecycle: ExperienceLifecycleService,
    private readonly rollups: ResultRollups,
  ) {}

  /**
   * Replaces the test's QA users: each is served the variant pinned (even while the test is a
   * DRAFT), is never assigned and never counts in results. Any status but STOPPED.
   */
  setTestUsers(
    caller: Caller,
    id: string,
    users: TestUserPin[],
    expectedVersion?: number | null,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      // Locked: the results rollups take QA users out (or back in) against placements and events in flight.
      const opened = await this.openTest(tx, caller, id, expectedVersion, "change its test users", true);
      if (!opened.ok) return opened;
      const { experience, before } = opened.value;
      const stateError = editError(experience.kind, experience.status, "testUsers", ["users"]);
      if (stateError) return fail(stateError);
      const errors = testUserErrors(users, new Set(variantsOf(opened.value).map((v) => v.id!)), ["users"]);
      if (errors.length) return fail(...errors);
      const wanted = users
        .map(({ userId, variantId }) => ({ userId, variantId }))
        .sort((a, b) => (a.userId < b.userId ? -1 : 1));
      if (sameValue(wanted, before.testUsers)) return ok(experience);
      const was = new Set((before.testUsers as TestUserPin[]).map((pin) => pin.userId));
      const is = new Set(wanted.map((pin) => pin.userId));
      await this.rollups.pinsChanged(tx, experience.id, {
        pinned: [...is].filter((userId) => !was.has(userId)),
        unpinned: [...was].filter((userId) => !is.has(userId)),
      });
      await tx.delete(TestUser, { experienceId: experience.id });
      if (wanted.length) {
        await tx.insert(
          TestUser,
          wanted.map((pin) => ({ ...pin, experienceId: experience.id, projectId: experience.projectId })),
        );
      }
      return ok(await this.changes.commit(tx, caller, "setTestUsers", opened.value));
    });
  }

  /** Marks a variant as the winner, or clears the mark (null); nothing else changes. Until the test stops. */
  declareWinner(
    caller: Caller,
    id: string,
    variantId: string | null,
    expectedVersion?: number | null,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      const opened = await this.openTest(tx, caller, id, expectedVersion, "declare a winner");
      if (!opened.ok) return opened;
      const { experience } = opened.value;
      const stateError = editError(experience.kind, experience.status, "winner", ["variantId"]);
      if (stateError) return fail(stateError);
      if (variantId !== null && !variantsOf(opened.value).some((variant) => variant.id === variantId)) {
        return fail(UserErrors.notFound(["variantId"], "variant of this test"));
      }
      if (experience.winnerVariantId === variantId) return ok(experience);
      experience.winnerVariantId = variantId;
      return ok(await this.changes.commit(tx, caller, "declareWinner", opened.value));
    });
  }

  /**
   * Ends the test with a variant for everyone in its segment, in one transaction: a product config
   * named after the test, with the variant's values and a priority above every product config that
   * sets one of those keys, is created and started; then the test stops (history action "rollOut")
   * and records what it rolled out. Evaluate serves the config from the next request on.
   */
  rollOutVariant(
    caller: Caller,
    id: string,
    variantId: string,
    expectedVersion?: number | null,
  ): Promise<Result<Experience>> {
    return changeProject(this.db, caller.projectId, async (tx) => {
      // Locked like a stop: placements in flight commit first, and the stop frees their claims.
      const opened = await this.openTest(tx, caller, id, expectedVersion, "roll it out", true);
      if (!opened.ok) return opened;
      const test = opened.value.experience;
      if (nextStatus(test.status, "stop") === null) {
        return fail(
          UserErrors.invalidState(
            ["id"],
            `Only a RUNNING or PAUSED test can be rolled out; it is ${test.status}`,
          ),
        );
      }
      const variant = variantsOf(opened.value).find((candidate) => candidate.id === variantId);
      if (!variant) return fail(UserErrors.notFound(["variantId"], "variant of this test"));
      if (variant.isControl || variant.values.length === 0) {
        return fail(
          UserErrors.invalid(
            ["variantId"],
            variant.isControl
              ? "The control has no values to roll out: stop the test to give everyone the defaults again"
              : `The variant "${variant.name}" sets no keys: there is nothing to roll out`,
          ),
        );
      }
      const keyIds = variant.values.map((value) => value.keyId);
      const priority = await priorityAbove(tx, test.projectId, keyIds);
      if (priority === null) {
        return fail(
          UserErrors.invalid(
            ["variantId"],
            "A product config that sets these keys already has the highest priority there is",
          ),
        );
      }
      const created = await this.experiences.createProductConfigIn(tx, caller, {
        name: await freeConfigName(tx, test),
        description: `Rolled out from the A/B test "${test.name}": its variant "${variant.name}".`,
        segmentId: test.segmentId,
        values: variant.values,
        priority,
      });
      if (!created.ok) return created;
      const config = await this.changes.open(tx, caller, {
        id: created.value.id,
        idField: ["variantId"],
        versionField: ["expectedVersion"],
        archivedAction: null,
      });
      if (!config.ok) return config;
      const started = await this.lifecycle.move(tx, caller, config.value, "start");
      if (!started.ok) return started;
      test.rolledOutVariantId = variant.id!;
      test.rolledOutToId = created.value.id;
      return this.lifecycle.move(tx, caller, opened.value, "stop", "rollOut");
    });
  }

  private openTest(
    tx: EntityManager,
    caller: Caller,
    id: string,
    expectedVersion: number | null | undefined,
    archivedAction: string,
    lock = false,
  ): Promise<Result<OpenChange>> {
    return this.changes.open(tx, caller, {
      id,
      idField: ["id"],
      kind: ExperienceKind.AB_TEST,
      expectedVersion,
      versionField: ["expectedVersion"],
      lock,
      archivedAction,
    });
  }
}

function variantsOf(change: OpenChange): SnapshotVariant[] {
  return change.before.variants as SnapshotVariant[];
}

/** One more than the highest priority of the unarchived product configs setting one of the keys; 0 if none does. */
async function priorityAbove(tx: EntityManager, projectId: string, keyIds: string[]): Promise<number | null> {
  const [row] = await sql<{ highest: number | string | null }>(
    tx,
    `SELECT MAX(e.priority) AS highest FROM experience e JOIN experience_value v ON v.experience_id = e.id
      WHERE e.project_id = :projectId AND e.kind = :config AND e.archived_at IS NULL AND v.key_id IN (:...keyIds)`,
    { projectId, config: ExperienceKind.PRODUCT_CONFIG, keyIds },
  );
  if (row?.highest === null || row?.highest === undefined) return 0;
  const highest = Number(row.highest);
  return highest >= MAX_PRIORITY ? null : highest + 1;
}

/** The test's name, or with " (rolled out)" (and a number) if a product config already has it. */
async function freeConfigName(tx: EntityManager, test: Experience): Promise<string> {
  const scope = { projectId: test.projectId, kind: ExperienceKind.PRODUCT_CONFIG };
  for (let attempt = 1; ; attempt++) {
    const suffix = attempt === 1 ? "" : attempt === 2 ? " (rolled out)" : ` (rolled out ${attempt - 1})`;
    const base = [...test.name]
      .slice(0, MAX_NAME_LENGTH - characterCount(suffix))
      .join("")
      .trim();
    const name = `${base}${suffix}`;
    if (!(await nameHolder(tx, Experience, scope, nameKeyOf(name)))) return name;
  }
}
