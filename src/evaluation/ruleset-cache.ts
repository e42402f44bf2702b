import { In, IsNull, type EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { VersionedCache } from "../db/versioned-cache";
import { ExperienceStatus } from "../experiences/experience-kind";
import { Experience } from "../experiences/experience.entity";
import { KeyValue } from "../experiences/key-value.entity";
import { Variant } from "../experiences/variant.entity";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import { compileRuleset, type Ruleset, type RulesetSource } from "./ruleset";

/** Each project's compiled ruleset, rebuilt when its config version moves (db/versioned-cache.ts). */
export function rulesetCache(db: Database): VersionedCache<Ruleset> {
  return new VersionedCache((projectId) => loadRulesetSource(db.reader, projectId).then(compileRuleset));
}

/** The rows a ruleset is compiled from: five indexed reads. */
async function loadRulesetSource(reader: EntityManager, projectId: string): Promise<RulesetSource> {
  const experiences = await reader.find(Experience, {
    where: {
      projectId,
      archivedAt: IsNull(),
      status: In([ExperienceStatus.RUNNING, ExperienceStatus.PAUSED]),
    },
  });
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
  return { keys, segments, experiences, values, variants };
}
