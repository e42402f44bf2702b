// Every signed-in page: a banner with the project and role, the Main navigation, the page.
import { useQuery } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { ProjectsDocument } from "../../client";
import { TextField } from "./components/fields";
import { Dialog } from "./components/dialog";
import { mayAdminister, useViewer } from "./viewer";

export const PAGES = [
  { path: "keys", name: "Keys" },
  { path: "segments", name: "Segments" },
  { path: "goals", name: "Goals" },
  { path: "settings", name: "Settings" },
  { path: "experiences", name: "Experiences" },
  { path: "tokens", name: "Tokens" },
  { path: "audit-log", name: "Audit log" },
  { path: "webhooks", name: "Webhooks" },
] as const;

/** An ADMIN with several projects switches between them; each needs its own token. */
function ProjectSwitch() {
  const { viewer, signIn } = useViewer();
  const { data } = useQuery(ProjectsDocument);
  const [target, setTarget] = useState<{ id: string; name: string } | null>(null);
  const [token, setToken] = useState("");
  const projects = data?.projects ?? [];
  if (projects.length < 2) return <span className="project">{viewer.project.name}</span>;
  return (
    <>
      <label className="project-select">
        Project
        <select
          value={viewer.project.id}
          onChange={(event) =>
            setTarget(projects.find((project) => project.id === event.target.value) ?? null)
          }
        >
          {projects.map((project) => (
            <option key={project.id} value={project.id}>
              {project.name}
            </option>
          ))}
        </select>
      </label>
      <Dialog
        title={`Switch to ${target?.name ?? ""}`}
        open={target !== null}
        onOpenChange={(open) => !open && setTarget(null)}
      >
        <form
          onSubmit={(event) => {
            event.preventDefault();
            signIn(token.trim());
          }}
        >
          <TextField
            label="API token"
            type="password"
            value={token}
            onChange={setToken}
            hint={`A token of ${target?.name ?? ""}.`}
          />
          <button type="submit">Sign in</button>
        </form>
      </Dialog>
    </>
  );
}

export function Shell() {
  const { viewer, signOut } = useViewer();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);
  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header role="banner" className="banner">
        <span className="brand">Product Experiences</span>
        {mayAdminister(viewer.role) ? (
          <ProjectSwitch />
        ) : (
          <span className="project">{viewer.project.name}</span>
        )}
        <span className="role">{viewer.role}</span>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div className="layout">
        <button
          type="button"
          className="menu"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav aria-label="Main" id="main-nav" className={menuOpen ? "open" : undefined}>
          <ul>
            {PAGES.map((page) => (
              <li key={page.path}>
                <NavLink to={`/${page.path}`}>{page.name}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </>
  );
}
