import type { RateLimiter } from "../access/rate-limiter";
import { bearerSecret } from "../access/token-secret";
import type { Services } from "../services";
import { requestContext, type RequestContext } from "./context";
import { rateLimited, unauthenticated } from "./errors";

/**
 * The request's context from its Authorization header. Every operation needs a valid token, so a
 * missing, malformed, unknown or revoked one stops the request here with UNAUTHENTICATED (HTTP 401),
 * and a token over its rate limit with RATE_LIMITED (HTTP 429).
 */
export async function authenticate(
  services: Services,
  authorization: string | undefined,
  limiter?: RateLimiter,
): Promise<RequestContext> {
  const secret = bearerSecret(authorization);
  if (!secret) throw unauthenticated("Send your API token as the header Authorization: Bearer <token>");
  const caller = await services.authentication.authenticate(secret);
  if (!caller) throw unauthenticated("This API token is not valid, or it was revoked");
  const wait = limiter?.take(caller.tokenId) ?? 0;
  if (wait) throw rateLimited(wait);
  return requestContext(services, caller);
}
