/**
 * The database could not do what a request asked for a reason outside the request: a full disk, a
 * lock held by another process, an I/O error, a lost connection. Nothing the request wrote was
 * acknowledged; the same request may succeed once the fault is gone. Clients see it as
 * SERVICE_UNAVAILABLE (GraphQL) or 503 (HTTP), with the reason in words.
 */
export class StorageUnavailable extends Error {
  constructor(
    /** In words, for the client and /healthz: "the disk is full". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The database cannot serve this request now: ${reason}. Try again later.`, options);
    this.name = "StorageUnavailable";
  }
}

/** SQLite's primary result codes that say the storage failed, not the statement (https://sqlite.org/rescode.html). */
const SQLITE_FAULTS: Record<string, string> = {
  SQLITE_FULL: "the disk is full",
  SQLITE_BUSY: "the database is locked by another connection",
  SQLITE_LOCKED: "the database is locked by another connection",
  SQLITE_IOERR: "the disk reported an I/O error",
  SQLITE_READONLY: "the database file cannot be written",
  SQLITE_CANTOPEN: "the database file cannot be opened",
  SQLITE_NOMEM: "the server is out of memory",
  SQLITE_CORRUPT: "the database file is damaged",
  SQLITE_NOTADB: "the database file is damaged",
  SQLITE_PROTOCOL: "the database's locking failed",
};

/** PostgreSQL's SQLSTATE classes and codes of the same kind (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
function postgresFault(code: string): string | null {
  if (code === "53100") return "the database server's disk is full";
  if (code.startsWith("53")) return "the database server is out of resources";
  if (code.startsWith("08")) return "the connection to the database server failed";
  if (code.startsWith("57P")) return "the database server is shutting down or starting";
  if (code === "55P03" || code === "57014") return "the database is locked by another connection";
  if (code.startsWith("58")) return "the database server reported an I/O error";
  return null;
}

/** Node's socket errors and pg's own words for a server it cannot reach. */
const CONNECTION_FAULT =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/**
 * The storage fault behind an error thrown by either engine (through TypeORM or a driver), or null
 * when the error is the statement's own (a constraint, a bug).
 */
export function storageFaultOf(error: unknown): StorageUnavailable | null {
  if (error instanceof StorageUnavailable) return error;
  if (!(error instanceof Error)) return null;
  const { code, driverError } = error as Error & { code?: unknown; driverError?: { code?: unknown } };
  const codes = [code, driverError?.code].filter((value): value is string => typeof value === "string");
  for (const candidate of codes) {
    const reason =
      SQLITE_FAULTS[candidate] ?? (/^[0-9A-Z]{5}$/.test(candidate) ? postgresFault(candidate) : null);
    if (reason) return new StorageUnavailable(reason, { cause: error });
  }
  if (CONNECTION_FAULT.test(error.message)) {
    return new StorageUnavailable("the database server does not answer", { cause: error });
  }
  return null;
}

/** The error to answer with: a storage fault as StorageUnavailable, anything else as it is. */
export function asStorageFault(error: unknown): unknown {
  return storageFaultOf(error) ?? error;
}
