import { In, IsNull, type EntityManager } from "typeorm";
import type { Database } from "../db/database";
import { ExperienceStatus } from "../experiences/experience-kind";
import { Experience } from "../experiences/experience.entity";
import { ExperienceValue } from "../experiences/experience-value.entity";
import { Variant } from "../experiences/variant.entity";
import { Key } from "../keys/key.entity";
import { Segment } from "../segments/segment.entity";
import { compileRuleset, type Ruleset, type RulesetSource } from "./ruleset";

/**
 * Each project's compiled ruleset, in memory, tagged with the config version it was built at.
 * Every setup change bumps the version (db/unit-of-work.ts) and every request reads it with its
 * token, so a change is served from the next request on, in every process sharing the database.
 * Concurrent requests that find it stale share one rebuild.
 */
export class RulesetCache {
  private readonly entries = new Map<string, { version: number; ruleset: Promise<Ruleset> }>();

  constructor(private readonly db: Database) {}

  get(projectId: string, version: number): Promise<Ruleset> {
    const cached = this.entries.get(projectId);
    // Built after reading `version` or a later one, so it reflects at least that version.
    if (cached && cached.version >= version) return cached.ruleset;
    const entry = { version, ruleset: loadRulesetSource(this.db.reader, projectId).then(compileRuleset) };
    this.entries.set(projectId, entry);
    entry.ruleset.catch(() => {
      if (this.entries.get(projectId) === entry) this.entries.delete(projectId);
    });
    return entry.ruleset;
  }
}

/** The rows a ruleset is compiled from: five indexed reads. */
export async function loadRulesetSource(reader: EntityManager, projectId: string): Promise<RulesetSource> {
  const experiences = await reader.find(Experience, {
    where: { projectId, archivedAt: IsNull(), status: In([ExperienceStatus.RUNNING, ExperienceStatus.PAUSED]) },
  });
  const ids = experiences.map((experience) => experience.id);
  const [keys, segments, values, variants] = await Promise.all([
    reader.find(Key, { where: { projectId, archivedAt: IsNull() }, select: { id: true, name: true, defaultValue: true } }),
    reader.find(Segment, { where: { projectId, archivedAt: IsNull() }, select: { id: true, rule: true }, order: { id: "ASC" } }),
    ids.length ? reader.find(ExperienceValue, { where: { experienceId: In(ids) } }) : [],
    ids.length ? reader.find(Variant, { where: { experienceId: In(ids) } }) : [],
  ]);
  return { keys, segments, experiences, values, variants };
}
