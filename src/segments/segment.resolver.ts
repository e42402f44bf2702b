import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Can } from "../access/role";
import { BulkArchivePayload } from "../graphql/bulk-archive.type";
import { connectionType, ListArgs, listRequest, toConnection } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { ExpectedVersionArg } from "../graphql/versions";
import { Usage } from "../usages/usage.type";
import { Segment } from "./segment.entity";
import { CreateSegmentInput, SegmentFilter, UpdateSegmentInput } from "./segment.inputs";
import { SegmentPayload } from "./segment.types";

const SegmentConnection = connectionType("Segment", Segment);

@Resolver(() => Segment)
export class SegmentResolver {
  @Authorized(Can.read)
  @Query(() => SegmentConnection, { description: "Active segments by default, oldest first." })
  async segments(
    @Arg("filter", () => SegmentFilter, {
      nullable: true,
      description: "Which segments to list; null: the unarchived ones.",
    })
    filter: SegmentFilter | null,
    @Args(() => ListArgs) page: ListArgs,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return toConnection(await services.segments.list(caller, filter ?? {}, listRequest(page)));
  }

  @Authorized(Can.read)
  @Query(() => Segment, {
    nullable: true,
    description: "A segment by id; null if the project has none with it.",
  })
  segment(
    @Arg("id", () => ID, { description: "The segment's id." }) id: string,
    @Ctx() { services, caller }: RequestContext,
  ): Promise<Segment | null> {
    return services.segments.items.byId(caller, id);
  }

  @FieldResolver(() => Segment, {
    nullable: true,
    description: "The segment this one was cloned from, if any.",
  })
  clonedFrom(@Root() segment: Segment, @Ctx() { loaders }: RequestContext): Promise<Segment | null> | null {
    return segment.clonedFromId ? loaders.segment.load(segment.clonedFromId) : null;
  }

  @FieldResolver(() => [Usage], {
    description: "Experiences that target this segment (archived ones included, flagged).",
  })
  usages(@Root() segment: Segment, @Ctx() { loaders }: RequestContext): Promise<Usage[]> {
    return loaders.segmentUsages.load(segment.id);
  }

  @Authorized(Can.edit)
  @Mutation(() => SegmentPayload, { description: "A new active segment." })
  async createSegment(
    @Arg("input", { description: "What to create." }) input: CreateSegmentInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("segment", await services.segments.create(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => SegmentPayload, {
    description: "Changes a segment's name, description or rule (a new rule replaces the old one).",
  })
  async updateSegment(
    @Arg("input", { description: "What to change." }) input: UpdateSegmentInput,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("segment", await services.segments.update(caller, input));
  }

  @Authorized(Can.edit)
  @Mutation(() => SegmentPayload, {
    description:
      "Copies the rule; name defaults to '<name> (copy)', made unique. The copy is independent of the original.",
  })
  async cloneSegment(
    @Arg("id", () => ID, { description: "The segment's id." }) id: string,
    @Arg("name", () => String, {
      nullable: true,
      description: "The clone's name; null: '<name> (copy)', made unique.",
    })
    name: string | null | undefined,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("segment", await services.segments.clone(caller, id, name ?? null));
  }

  @Authorized(Can.edit)
  @Mutation(() => SegmentPayload, {
    description: "Fails with IN_USE while an unarchived experience targets the segment.",
  })
  async archiveSegment(
    @Arg("id", () => ID, { description: "The segment's id." }) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("segment", await services.segments.archive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => SegmentPayload, { description: "Makes an archived segment active again." })
  async unarchiveSegment(
    @Arg("id", () => ID, { description: "The segment's id." }) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("segment", await services.segments.unarchive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => BulkArchivePayload, {
    description:
      "1 to 100 ids, each judged alone: the segments that can be archived are, the others come back as userErrors.",
  })
  async archiveSegments(
    @Arg("ids", () => [ID], { description: "The segments to archive." }) ids: string[],
    @Ctx() { services, caller }: RequestContext,
  ): Promise<BulkArchivePayload> {
    return services.segments.archiveMany(caller, ids);
  }
}
