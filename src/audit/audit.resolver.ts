import { Arg, Args, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import { Can } from "../access/role";
import { connectionType, PageArgs, pageRequest, toConnection } from "../graphql/connection";
import type { RequestContext } from "../graphql/context";
import { AuditEvent } from "./audit-event.entity";

const AuditEventConnection = connectionType("AuditEvent", AuditEvent);

@Resolver()
export class AuditResolver {
  @Authorized(Can.read)
  @Query(() => AuditEventConnection, {
    description: "Newest first. With entityId: the history of one object.",
  })
  async auditLog(
    @Arg("entityId", () => ID, { nullable: true, description: "Only the changes of this object; null: all." })
    entityId: string | null | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() { services, caller }: RequestContext,
  ) {
    return toConnection(await services.audit.list(caller, entityId ?? null, pageRequest(page)));
  }
}
