import { createClient, CreateKeyDocument, ListKeysDocument } from "../../../client";

/**
 * A dashboard as a front-end team would write it with the typed client, served from its own origin:
 * the browser test drives it through `window.dashboard`.
 */
async function addAndList(url: string, token: string, name: string): Promise<string[]> {
  const api = createClient({ url, token });
  const { createKey } = await api.request(CreateKeyDocument, {
    input: { name, type: "STRING", defaultValue: "from another origin" },
  });
  if (createKey.userErrors.length) throw new Error(createKey.userErrors[0].message);
  const { keys } = await api.request(ListKeysDocument, { orderBy: { field: "NAME", direction: "DESC" } });
  return keys.nodes.map((key) => key.name);
}

(globalThis as unknown as { dashboard: object }).dashboard = { addAndList };
