import type { Services } from "../services";
import { requestContext, type RequestContext } from "./context";
import { unauthenticated } from "./errors";

/**
 * The request's context from its Authorization header. Every operation needs a valid token, so a
 * missing, malformed, unknown or revoked one stops the request here with UNAUTHENTICATED (HTTP 401).
 */
export async function authenticate(
  services: Services,
  authorization: string | undefined,
): Promise<RequestContext> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) throw unauthenticated("Send your API token as the header Authorization: Bearer <token>");
  const caller = await services.authentication.authenticate(match[1]);
  if (!caller) throw unauthenticated("This API token is not valid, or it was revoked");
  return requestContext(services, caller);
}
