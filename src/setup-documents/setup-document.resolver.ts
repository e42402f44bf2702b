import { GraphQLJSON } from "graphql-scalars";
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Can } from "../access/role";
import type { RequestContext } from "../graphql/context";
import { ImportSetupPayload, SetupDocument } from "./setup-document.types";

@Resolver()
export class SetupDocumentResolver {
  @Authorized(Can.read)
  @Query(() => SetupDocument, { description: "VIEWER and up: the project's setup as a document." })
  exportSetup(
    @Arg("includeArchived", () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: "Archived keys, segments, goals and experiences too.",
    })
    includeArchived: boolean | null,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<SetupDocument> {
    return services.setupDocuments.export(caller, includeArchived ?? false);
  }

  @Authorized(Can.edit)
  @Mutation(() => ImportSetupPayload, {
    description:
      "EDITOR and up: compare a document with the project (dryRun) or make the project match it, all or nothing.",
  })
  importSetup(
    @Arg("document", () => GraphQLJSON, { description: "A px-setup/1 document, as exportSetup writes it." })
    document: unknown,
    @Arg("dryRun", () => Boolean, {
      nullable: true,
      defaultValue: true,
      description: "Only plan: change nothing.",
    })
    dryRun: boolean | null,
    @Arg("archiveMissing", () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: "Archive the project's active objects the document lacks.",
    })
    archiveMissing: boolean | null,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<ImportSetupPayload> {
    // An explicit null takes the default, as an absent argument does.
    return services.setupDocuments.import(caller, document, {
      dryRun: dryRun ?? true,
      archiveMissing: archiveMissing ?? false,
    });
  }
}
