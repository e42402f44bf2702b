import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import type { GraphqlClient, Response } from "./test-app";

/**
 * GraphQL over HTTP to a server at `url` (a child process, or one listening in this process), with
 * the same execute/query as the in-process TestApp, so fixtures and checks work on either.
 */
export function httpClient(url: string, adminToken: string): GraphqlClient {
  const execute = async <TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    token: string = adminToken,
  ): Promise<Response<TData>> => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: typeof document === "string" ? document : print(document), variables }),
    });
    const text = await response.text();
    try {
      return JSON.parse(text) as Response<TData>;
    } catch {
      throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  };
  return {
    adminToken,
    execute,
    async query(document, variables, token) {
      const response = await execute(document, variables, token);
      if (response.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
      return response.data!;
    },
  };
}
