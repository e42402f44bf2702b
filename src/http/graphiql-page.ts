export interface PlaygroundSettings {
  /** Where the page posts queries. */
  endpoint: string;
  /** Where the bundle and workers are served from. */
  assets: string;
}

/**
 * The playground's address with a token for the page to put in its headers: in the #fragment,
 * which browsers never send to a server, so the server never holds the secret in anything it serves.
 */
export function playgroundAddress(baseUrl: string, token: string | null): string {
  return `${baseUrl}/graphql${token ? `#token=${encodeURIComponent(token)}` : ""}`;
}

const DEFAULT_QUERY = `# Product Experiences API. Put your token in the Headers tab below:
#   { "Authorization": "Bearer px_..." }
# The Docs button (top left) browses every type and field.
{
  viewer { project { name } role tokenName }
  keys(first: 10) { totalCount nodes { name type defaultValue usages { kind name status } } }
}
`;

/** JSON inside a <script> block: `<` escaped so no value can close the block. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export function graphiqlPage(settings: PlaygroundSettings): string {
  const pageSettings = {
    ...settings,
    defaultQuery: DEFAULT_QUERY,
    defaultHeaders: JSON.stringify({ Authorization: "Bearer <your token>" }, null, 2),
  };
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Product Experiences · GraphiQL</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="${settings.assets}/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script type="application/json" id="px-settings">${inlineJson(pageSettings)}</script>
  <script src="${settings.assets}/graphiql.js"></script>
</body>
</html>
`;
}

/** Everything the page loads comes from this server: the browser refuses any other origin. */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
].join("; ");
