// The GraphiQL playground, bundled by scripts/build-graphiql.mjs into public/graphiql so that it
// loads with no CDN. The server writes its settings into the page as JSON (see graphiql-page.ts);
// a token never comes from the server: the first start prints an address whose #fragment holds it
// (browsers do not send fragments), and this page moves it into the Authorization header.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import React from "react";
import { createRoot } from "react-dom/client";

const settings = JSON.parse(document.getElementById("px-settings").textContent);

/** A token given in the address's fragment (#token=px_...), taken out of the address bar at once. */
function tokenFromFragment() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}
const token = tokenFromFragment();

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const file =
      label === "json" ? "json.worker.js" : label === "graphql" ? "graphql.worker.js" : "editor.worker.js";
    return new Worker(`${settings.assets}/${file}`);
  },
};

createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: createGraphiQLFetcher({ url: settings.endpoint }),
    defaultQuery: settings.defaultQuery,
    defaultHeaders: settings.defaultHeaders,
    initialHeaders: token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined,
    shouldPersistHeaders: true,
  }),
);
