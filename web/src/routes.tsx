import { createBrowserRouter, Navigate, useRouteError } from "react-router";
import { AuditLogPage } from "./pages/audit-log";
import { ExperiencePage } from "./pages/experience";
import { ExperiencesPage } from "./pages/experiences";
import { GoalPage, GoalsPage } from "./pages/goals";
import { KeyPage, KeysPage } from "./pages/keys";
import { SegmentPage, SegmentsPage } from "./pages/segments";
import { SettingsPage } from "./pages/settings";
import { TokensPage } from "./pages/tokens";
import { WebhooksPage } from "./pages/webhooks";
import { Shell } from "./shell";

function PageFailed() {
  const error = useRouteError();
  return (
    <div role="alert" className="alert">
      <h1>This page failed</h1>
      <p>{error instanceof Error ? error.message : "Something went wrong while showing it."}</p>
    </div>
  );
}

function NotFound() {
  return <h1>No such page</h1>;
}

// Every page has its own address under /app; the server answers index.html for each of them.
export const router = createBrowserRouter(
  [
    {
      element: <Shell />,
      errorElement: <PageFailed />,
      children: [
        { index: true, element: <Navigate to="/keys" replace /> },
        { path: "keys", element: <KeysPage /> },
        { path: "keys/:id", element: <KeyPage /> },
        { path: "segments", element: <SegmentsPage /> },
        { path: "segments/:id", element: <SegmentPage /> },
        { path: "goals", element: <GoalsPage /> },
        { path: "goals/:id", element: <GoalPage /> },
        { path: "settings", element: <SettingsPage /> },
        { path: "experiences", element: <ExperiencesPage /> },
        { path: "experiences/:id", element: <ExperiencePage /> },
        { path: "tokens", element: <TokensPage /> },
        { path: "audit-log", element: <AuditLogPage /> },
        { path: "webhooks", element: <WebhooksPage /> },
        { path: "*", element: <NotFound /> },
      ],
    },
  ],
  { basename: "/app" },
);
