// The GraphiQL playground, bundled by scripts/build-graphiql.mjs into public/graphiql so that it
// loads with no CDN. The server writes its settings into the page as JSON (see graphiql-page.ts).
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import React from "react";
import { createRoot } from "react-dom/client";

const settings = JSON.parse(document.getElementById("px-settings").textContent);

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file = label === "json" ? "json.worker.js" : label === "graphql" ? "graphql.worker.js" : "editor.worker.js";
    return new Worker(`${settings.assets}/${file}`);
  },
};

createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: createGraphiQLFetcher({ url: settings.endpoint }),
    defaultQuery: settings.defaultQuery,
    defaultHeaders: settings.defaultHeaders,
    initialHeaders: settings.initialHeaders ?? undefined,
    shouldPersistHeaders: true,
  }),
);
