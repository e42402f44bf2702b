import type { Caller } from "../access/role";
import type { Services } from "../services";
import { createLoaders, type Loaders } from "./loaders";

/** What every resolver gets: who is asking, the services, and this request's batch loaders. */
export interface RequestContext {
  caller: Caller;
  services: Services;
  loaders: Loaders;
}

export function requestContext(services: Services, caller: Caller): RequestContext {
  return { caller, services, loaders: createLoaders(services, caller) };
}
