import { Field, InputType, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error.type";
import { ApiToken } from "./api-token.entity";
import { Project } from "./project.entity";
import { Role } from "./role";

@ObjectType({ description: "Who is asking: the project and role of the request's bearer token." })
export class Viewer {
  @Field(() => Project)
  project!: Project;

  @Field(() => Role)
  role!: Role;

  @Field()
  tokenName!: string;
}

@InputType()
export class CreateApiTokenInput {
  @Field({ description: "Shown as the actor in the audit log, e.g. 'ios-app' or 'alice'." })
  name!: string;

  @Field(() => Role)
  role!: Role;
}

@ObjectType()
export class ApiTokenPayload {
  @Field(() => ApiToken, { nullable: true })
  token!: ApiToken | null;

  @Field(() => String, { nullable: true, description: "The bearer secret; returned once, on creation, and stored only as a hash." })
  secret!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class CreateProjectPayload {
  @Field(() => Project, { nullable: true })
  project!: Project | null;

  @Field(() => String, { nullable: true, description: "Bearer secret of the new project's first ADMIN token; returned once." })
  adminSecret!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
