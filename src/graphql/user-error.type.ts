import { Field, ObjectType, registerEnumType } from "type-graphql";
import { ErrorCode, type FieldPath, type UserError as DomainUserError } from "../shared/user-error";
import { Usage } from "../usages/usage.type";

registerEnumType(ErrorCode, {
  name: "ErrorCode",
  description: "Why a mutation was not done. README.md lists what to do about each.",
  valuesConfig: {
    INVALID: {
      description: "A value breaks a rule: wrong type, out of range, malformed. `field` says which.",
    },
    NAME_TAKEN: {
      description: "Another object of the same kind has this name, ignoring case (archived ones too).",
    },
    LIMIT_REACHED: { description: "A project limit, such as 500 active keys, would be exceeded." },
    IN_USE: { description: "Unarchived experiences reference the object; `usages` lists them." },
    NOT_FOUND: { description: "No object with this id in the project." },
    ARCHIVED: { description: "The object is archived: unarchive it first." },
    INVALID_STATE: {
      description: "The object's state does not allow this, e.g. starting a stopped experience.",
    },
    CONFLICT: { description: "The change conflicts with a concurrent one; read again and retry." },
  },
});

@ObjectType({ description: "A business reason why a mutation was not done. Nothing changed." })
export class UserError implements DomainUserError {
  @Field(() => [String], {
    nullable: true,
    description:
      'Path of the input field at fault, e.g. ["input", "name"]; null when no single field is at fault.',
  })
  field!: FieldPath;

  @Field({ description: "What is wrong, for people." })
  message!: string;

  @Field(() => ErrorCode, { description: "What is wrong, for code." })
  code!: ErrorCode;

  @Field(() => [Usage], { description: "For IN_USE: the experiences that hold the reference." })
  usages!: Usage[];
}
