import { useQuery } from "@apollo/client/react";
import { useNavigate, useSearchParams } from "react-router";
import { AuditLogDocument } from "../../../client";
import { Loading, RequestError } from "../components/alerts";
import { HeaderRow, SearchBox, useSearchParam } from "../components/list";

const nameIn = (state: unknown): string | undefined =>
  state && typeof state === "object" && "name" in state && typeof state.name === "string"
    ? state.name
    : undefined;

export function AuditLogPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const after = params.get("after") ?? undefined;
  const [search, setSearch] = useSearchParam("q");
  const { data, error, loading } = useQuery(AuditLogDocument, { variables: { first: 100, after } });
  const needle = search.toLowerCase();
  const events = (data?.auditLog.nodes ?? []).filter((event) =>
    [nameIn(event.after) ?? nameIn(event.before) ?? "", event.actor, event.action, event.entityType].some(
      (text) => text.toLowerCase().includes(needle),
    ),
  );
  return (
    <>
      <h1>Audit log</h1>
      <p className="hint">Every change, newest first: who, when, what, and the object before and after.</p>
      <div className="filters">
        <SearchBox value={search} onChange={setSearch} hint="Search this page by name, actor or action" />
      </div>
      {error && <RequestError error={error} />}
      {loading && !data && <Loading what="the audit log" />}
      {data && (
        <>
          {events.length === 0 ? (
            <p className="status">No changes to show.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>Changes ({data.auditLog.totalCount} in all)</caption>
                <HeaderRow headers={["When", "Actor", "Action", "Kind", "Name"]} />
                <tbody>
                  {events.map((event) => (
                    <tr key={event.id}>
                      <td>{new Date(event.at).toLocaleString()}</td>
                      <td>{event.actor}</td>
                      <td>{event.action}</td>
                      <td>{event.entityType}</td>
                      <th scope="row">{nameIn(event.after) ?? nameIn(event.before) ?? event.entityId}</th>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="pager">
            <button type="button" disabled={!after} onClick={() => void navigate(-1)}>
              Previous page
            </button>
            <button
              type="button"
              disabled={!data.auditLog.pageInfo.hasNextPage}
              onClick={() =>
                setParams((current) => {
                  const next = new URLSearchParams(current);
                  next.set("after", data.auditLog.pageInfo.endCursor ?? "");
                  return next;
                })
              }
            >
              Next page
            </button>
          </div>
        </>
      )}
    </>
  );
}
