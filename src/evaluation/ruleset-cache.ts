import { In, IsNull, type EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { sql } from "../db/sql";
import { VersionedCache } from "../db/versioned-cache";
import { ExperienceStatus } from "../experiences/experience-kind";
import { Experience } from "../experiences/experience.entity";
import { KeyValue } from "../experiences/key-value.entity";
import { Variant } from "../experiences/variant.entity";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import type { Signals } from "../shared/signals";
import { compileRuleset, type Ruleset, type RulesetSource } from "./ruleset";

/** Each project's compiled ruleset, rebuilt when its config version moves (db/versioned-cache.ts). */
export function rulesetCache(db: Database, signals: Signals): VersionedCache<Ruleset> {
  return new VersionedCache(async (projectId) => {
    const started = performance.now();
    const ruleset = compileRuleset(await loadRulesetSource(db.reader, projectId));
    signals.rulesetBuilt((performance.now() - started) / 1000);
    return ruleset;
  });
}

/**
 * The rows a ruleset is compiled from, in six indexed reads: the live experiences and the QA pins
 * first (a DRAFT test with pins serves its test users, so it is loaded too), then their keys,
 * segments, values and variants.
 */
async function loadRulesetSource(reader: EntityManager, projectId: string): Promise<RulesetSource> {
  const [live, testUsers] = await Promise.all([
    reader.find(Experience, {
      where: {
        projectId,
        archivedAt: IsNull(),
        status: In([ExperienceStatus.RUNNING, ExperienceStatus.PAUSED]),
      },
    }),
    sql<{ experience_id: string; user_id: string; variant_id: string }>(
      reader,
      `SELECT pin.experience_id, pin.user_id, pin.variant_id FROM test_user pin JOIN experience e ON e.id = pin.experience_id
        WHERE pin.project_id = :projectId AND e.archived_at IS NULL AND e.status <> :stopped`,
      { projectId, stopped: ExperienceStatus.STOPPED },
    ),
  ]);
  const liveIds = new Set(live.map((experience) => experience.id));
  const draftIds = [...new Set(testUsers.map((pin) => pin.experience_id))].filter((id) => !liveIds.has(id));
  const drafts = draftIds.length ? await reader.find(Experience, { where: { id: In(draftIds) } }) : [];
  const experiences = [...live, ...drafts];
  const ids = experiences.map((experience) => experience.id);
  const [keys, segments, values, variants] = await Promise.all([
    reader.find(Key, {
      where: { projectId, archivedAt: IsNull() },
      select: { id: true, name: true, defaultValue: true },
    }),
    reader.find(Segment, {
      where: { projectId, archivedAt: IsNull() },
      select: { id: true, rule: true },
      order: { id: "ASC" },
    }),
    ids.length ? reader.find(KeyValue, { where: { experienceId: In(ids) } }) : [],
    ids.length ? reader.find(Variant, { where: { experienceId: In(ids) } }) : [],
  ]);
  return {
    keys,
    segments,
    experiences,
    values,
    variants,
    testUsers: testUsers.map((pin) => ({
      experienceId: pin.experience_id,
      userId: pin.user_id,
      variantId: pin.variant_id,
    })),
  };
}
