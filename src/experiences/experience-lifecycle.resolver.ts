import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { Can } from "../access/role";
import { BulkArchivePayload } from "../graphql/bulk-archive.type";
import type { RequestContext } from "../graphql/context";
import { payload } from "../graphql/payload";
import { ExpectedVersionArg } from "../graphql/versions";
import { ExperiencePayload } from "./experience.types";

const ID_ARG = { description: "The experience's id." };

/** Start, pause, stop, archive and schedule: where an experience is in its life cycle. */
@Resolver()
export class ExperienceLifecycleResolver {
  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "DRAFT or PAUSED → RUNNING." })
  async startExperience(
    @Arg("id", () => ID, ID_ARG) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experienceLifecycle.start(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description:
      "RUNNING → PAUSED: nobody new enters; a paused A/B test keeps serving its users, a config or flag serves nothing.",
  })
  async pauseExperience(
    @Arg("id", () => ID, ID_ARG) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experienceLifecycle.pause(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, { description: "RUNNING or PAUSED → STOPPED, for good." })
  async stopExperience(
    @Arg("id", () => ID, ID_ARG) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experienceLifecycle.stop(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description: "DRAFT or STOPPED only; archived experiences are read-only.",
  })
  async archiveExperience(
    @Arg("id", () => ID, ID_ARG) id: string,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload("experience", await services.experienceLifecycle.archive(caller, id, expectedVersion));
  }

  @Authorized(Can.edit)
  @Mutation(() => BulkArchivePayload, {
    description:
      "1 to 100 ids, each judged alone: the experiences that can be archived are, the others come back as userErrors.",
  })
  archiveExperiences(
    @Arg("ids", () => [ID], { description: "The experiences to archive." }) ids: string[],
    @Ctx() { services, caller }: RequestContext,
  ): Promise<BulkArchivePayload> {
    return services.experienceLifecycle.archiveMany(caller, ids);
  }

  @Authorized(Can.edit)
  @Mutation(() => ExperiencePayload, {
    description:
      "Sets when the experience starts (DRAFT or PAUSED) and stops by itself; an argument left out keeps its time, null clears it.",
  })
  async scheduleExperience(
    @Arg("id", () => ID, ID_ARG) id: string,
    @Arg("startAt", () => Date, {
      nullable: true,
      description: "In the future, at most a year ahead; null clears it.",
    })
    startAt: Date | null | undefined,
    @Arg("stopAt", () => Date, {
      nullable: true,
      description: "After startAt, at most a year ahead; null clears it.",
    })
    stopAt: Date | null | undefined,
    @ExpectedVersionArg() expectedVersion: number | null,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return payload(
      "experience",
      await services.experienceLifecycle.schedule(caller, id, { startAt, stopAt }, expectedVersion),
    );
  }
}
