import { Field, ObjectType } from "type-graphql";
import { Describe } from "../graphql/descriptions";
import { UserError } from "../graphql/user-error.type";
import { ApiToken } from "./api-token.entity";
import { Project } from "./project.entity";
import { Role } from "./role";

@ObjectType({ description: "Who is asking: the project and role of the request's bearer token." })
export class Viewer {
  @Field(() => Project, {
    description: "The token's project: everything the request sees and changes is in it.",
  })
  project!: Project;

  @Field(() => Role, { description: "The token's role." })
  role!: Role;

  @Field({ description: "The token's name, as the audit log shows it." })
  tokenName!: string;
}

@ObjectType({ description: "What a mutation of a token answers." })
export class ApiTokenPayload {
  @Field(() => ApiToken, {
    nullable: true,
    description: "The token after the change; null when it was not done.",
  })
  token!: ApiToken | null;

  @Field(() => String, {
    nullable: true,
    description: "The bearer secret; returned once, on creation, and stored only as a hash.",
  })
  secret!: string | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}

@ObjectType({ description: "What createProject answers." })
export class CreateProjectPayload {
  @Field(() => Project, { nullable: true, description: "The new project; null when it was not made." })
  project!: Project | null;

  @Field(() => String, {
    nullable: true,
    description: "Bearer secret of the new project's first ADMIN token; returned once.",
  })
  adminSecret!: string | null;

  @Field(() => [UserError], { description: Describe.userErrors })
  userErrors!: UserError[];
}
