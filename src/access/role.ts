export enum Role {
  ADMIN = "ADMIN",
  EDITOR = "EDITOR",
  VIEWER = "VIEWER",
  SDK = "SDK",
}

/**
 * Who may call what, by role. Resolvers name one of these groups in @Authorized; this table is the
 * whole access policy (docs/SECURITY.md shows it as a matrix).
 */
export const Can = {
  /** Read setup, experiences, results, settings and the audit log. */
  read: [Role.ADMIN, Role.EDITOR, Role.VIEWER],
  /** Create, change and archive setup and experiences. */
  edit: [Role.ADMIN, Role.EDITOR],
  /** Projects and tokens. */
  administer: [Role.ADMIN],
  /** Ask what a user gets: the SDK's call, and the dashboard's preview. */
  evaluate: [Role.ADMIN, Role.EDITOR, Role.VIEWER, Role.SDK],
  /** Send events and profiles: SDK traffic (ADMIN may do everything). */
  track: [Role.ADMIN, Role.SDK],
  /** Know who you are. */
  any: [Role.ADMIN, Role.EDITOR, Role.VIEWER, Role.SDK],
} as const;

/** The authenticated token behind a request: every service call is scoped by its project. Shared by requests of one token (authentication.service.ts), so never changed. */
export interface Caller {
  readonly projectId: string;
  readonly role: Role;
  readonly tokenId: string;
  readonly tokenName: string;
  /** The project's config version when the request began: cached rulesets older than it are stale. */
  readonly configVersion: number;
}
