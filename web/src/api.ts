import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError } from "@apollo/client";
import { API_URL } from "./session";

/** An Apollo Client that sends `token` with every request; a new one per sign-in. */
export function apolloClientFor(token: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: API_URL, headers: { authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache({
      possibleTypes: {
        Experience: ["ProductConfig", "FeatureFlag", "ABTest"],
        SegmentCondition: ["PropertyCondition", "EventCondition"],
      },
      typePolicies: {
        // One per project: no id of its own.
        Settings: { keyFields: [] },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: "cache-and-network" } },
  });
}

/** The code of a failed request (UNAUTHENTICATED, FORBIDDEN, …), whichever way it reached us. */
export function errorCode(error: unknown): string | undefined {
  if (CombinedGraphQLErrors.is(error)) return error.errors[0]?.extensions?.code as string | undefined;
  if (ServerError.is(error)) {
    if (error.statusCode === 401) return "UNAUTHENTICATED";
    if (error.statusCode === 403) return "FORBIDDEN";
  }
  return undefined;
}

/** What to tell a person about a failed request. */
export function errorMessage(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => e.message).join(" ");
  if (error instanceof Error) return error.message;
  return String(error);
}
