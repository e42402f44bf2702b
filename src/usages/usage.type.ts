import { Field, ID, ObjectType } from "type-graphql";
import { ExperienceKind, ExperienceStatus } from "../experiences/experience-kind";
import type { Usage as DomainUsage } from "../shared/user-error";

@ObjectType({ description: "A reference from an experience to a key, segment or goal." })
export class Usage implements DomainUsage {
  @Field(() => ExperienceKind, { description: "The experience's kind." })
  kind!: ExperienceKind;

  @Field(() => ID, { description: "The experience's id." })
  id!: string;

  @Field({ description: "The experience's name." })
  name!: string;

  @Field(() => ExperienceStatus, { description: "The experience's status." })
  status!: ExperienceStatus;

  @Field({ description: "Archived experiences are listed too; they do not block archiving." })
  archived!: boolean;
}
