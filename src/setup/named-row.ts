import { Column, PrimaryColumn, type EntityManager } from "typeorm";
import { InstantColumn } from "../db/columns";
import { normalizeDescription, normalizeName, searchTextOf, type NormalizedName } from "../shared/names";
import { errorsOf, fail, ok, type Result } from "../shared/result";
import { UserErrors, type FieldPath, type UserError } from "../shared/user-error";

/**
 * The columns every named, archivable row of a project has: keys, segments and goals
 * (SetupItemEntity) and experiences. TypeORM only: each subclass says which of them its GraphQL
 * type shows.
 */
export abstract class NamedRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36 })
  projectId!: string;

  @Column({ type: "varchar", length: 200 })
  name!: string;

  /**
   * The trimmed, lower-cased name: what uniqueness compares. Lower-casing can double a name's
   * length ("İ" → "i̇"): room for the worst case (shared/names.ts).
   */
  @Column({ type: "varchar", length: 400 })
  nameKey!: string;

  /** Name and description, lower-cased, for the `search` filter. */
  @Column({ type: "text" })
  searchText!: string;

  @Column({ type: "text", nullable: true })
  description!: string | null;

  @InstantColumn({ nullable: true })
  archivedAt!: Date | null;

  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  updatedAt!: Date;

  /** 1 at creation, +1 on every change: what `expectedVersion` is compared with. */
  @Column({ type: "integer", default: 1 })
  version!: number;
}

/** The name and description fields of every create and update input of a named row. */
export interface NamedInput {
  name?: string | null;
  description?: string | null;
}

/** A checked name and description; undefined keeps what the row has. */
export interface Naming {
  name?: NormalizedName;
  description?: string | null;
}

/**
 * The name and description of a create (`creating`: a name is required) or of an update (null or
 * absent keeps the value; an empty description clears it), checked: the one set of steps for every
 * kind of named row. Keys bring their own, stricter name rule.
 */
export function checkNaming(
  input: NamedInput,
  creating: boolean,
  normalize: (raw: string, field: FieldPath) => Result<NormalizedName> = normalizeName,
): Result<Naming> {
  const name = creating || input.name != null ? normalize(input.name ?? "", ["input", "name"]) : null;
  const description =
    creating || input.description != null
      ? normalizeDescription(input.description, ["input", "description"])
      : null;
  const errors = errorsOf(name, description);
  if (errors.length) return fail(...errors);
  return ok({
    name: name?.ok ? name.value : undefined,
    description: description?.ok ? description.value : undefined,
  });
}

/**
 * Puts a checked naming on a row: NAME_TAKEN (and the row unchanged) when another row of its kind
 * (`holderOf` looks it up, ignoring case) already has the name, archived rows included.
 */
export async function applyNaming(
  row: NamedRow,
  naming: Naming,
  what: string,
  holderOf: (nameKey: string) => Promise<Pick<NamedRow, "id" | "name" | "archivedAt"> | null>,
  field: FieldPath = ["input", "name"],
): Promise<UserError | null> {
  if (naming.name) {
    const holder = await holderOf(naming.name.nameKey);
    if (holder && holder.id !== row.id) return UserErrors.nameTaken(field, what, holder);
    Object.assign(row, naming.name);
  }
  if (naming.description !== undefined) row.description = naming.description;
  row.searchText = searchTextOf(row.name, row.description);
  return null;
}

/**
 * The row of `entity` within `scope` (a project, and for experiences a kind) whose name equals
 * `nameKey` ignoring case: the one lookup behind every NAME_TAKEN.
 */
export function nameHolder<T extends { id: string }>(
  manager: EntityManager,
  entity: new () => T,
  scope: Record<string, string>,
  nameKey: string,
): Promise<T | null> {
  const query = manager.createQueryBuilder(entity, "holder").where("holder.nameKey = :nameKey", { nameKey });
  for (const [column, value] of Object.entries(scope)) {
    query.andWhere(`holder.${column} = :${column}`, { [column]: value });
  }
  return query.getOne();
}
