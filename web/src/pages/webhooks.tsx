import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import {
  CreateWebhookDocument,
  DeleteWebhookDocument,
  RedeliverWebhookDocument,
  UpdateWebhookDocument,
  WebhookDeliveriesDocument,
  WebhooksDocument,
} from "../../../client";
import { ErrorAlerts, Loading, RequestError } from "../components/alerts";
import { ConfirmButton, Dialog } from "../components/dialog";
import { TextField } from "../components/fields";
import { AdminPage, HeaderRow, useSearchParam } from "../components/list";
import { useSubmit } from "../submit";
import { mayAdminister, useViewer } from "../viewer";
import { SecretField } from "./secret-field";

const eventsOf = (text: string) =>
  text
    .split(/[\n,]/)
    .map((event) => event.trim())
    .filter(Boolean);

function NewWebhook() {
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [description, setDescription] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const submit = useSubmit(["url", "events", "description"]);
  const [createWebhook] = useMutation(CreateWebhookDocument, {
    refetchQueries: [WebhooksDocument, WebhookDeliveriesDocument],
  });
  const send = async (event: FormEvent) => {
    event.preventDefault();
    await submit.run(async () => {
      const answer = (
        await createWebhook({
          variables: { input: { url, events: eventsOf(events), description: description || undefined } },
        })
      ).data!.createWebhook;
      setSecret(answer.secret ?? null);
      return answer.userErrors;
    });
  };
  const reset = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setSecret(null);
      submit.clear();
    }
  };
  return (
    <Dialog
      title="New webhook"
      open={open}
      onOpenChange={reset}
      trigger={<button type="button">New webhook</button>}
    >
      {secret ? (
        <SecretField secret={secret} what={`the webhook to ${url}`} />
      ) : (
        <form onSubmit={(event) => void send(event)} noValidate>
          <TextField
            label="URL"
            type="url"
            value={url}
            onChange={setUrl}
            error={submit.byField.url}
            hint="http or https, reachable from the server; not a private address."
          />
          <TextField
            label="Events"
            multiline
            value={events}
            onChange={setEvents}
            error={submit.byField.events}
            hint="One per line: * for all, experience.* for a family, or experience.started."
          />
          <TextField
            label="Description"
            value={description}
            onChange={setDescription}
            error={submit.byField.description}
          />
          <ErrorAlerts errors={submit.general} />
          <button type="submit" disabled={submit.busy}>
            Create
          </button>
        </form>
      )}
    </Dialog>
  );
}

function WebhookActions({ id, url, active }: { id: string; url: string; active: boolean }) {
  const [open, setOpen] = useState(false);
  const refetchQueries = [WebhooksDocument, WebhookDeliveriesDocument];
  const [remove] = useMutation(DeleteWebhookDocument, { refetchQueries });
  const [update] = useMutation(UpdateWebhookDocument, { refetchQueries });
  return (
    <div className="toolbar">
      <button
        type="button"
        className="secondary"
        onClick={() => void update({ variables: { input: { id, active: !active } } })}
      >
        {active ? `Pause ${url}` : `Resume ${url}`}
      </button>
      <ConfirmButton
        label={`Delete ${url}`}
        question={`Delete the webhook to ${url}? Its pending deliveries are dropped.`}
        confirm="Delete"
        open={open}
        onOpenChange={setOpen}
        onConfirm={() => void remove({ variables: { id } })}
      />
    </div>
  );
}

function Deliveries() {
  const { data } = useQuery(WebhookDeliveriesDocument, { variables: { first: 20 } });
  const [redeliver] = useMutation(RedeliverWebhookDocument, { refetchQueries: [WebhookDeliveriesDocument] });
  const { data: hooks } = useQuery(WebhooksDocument);
  if (!data) return <Loading what="deliveries" />;
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      {data.webhooks.map((webhook) => {
        const url = hooks?.webhooks.find((hook) => hook.id === webhook.id)?.url ?? webhook.id;
        return (
          <div className="table-wrap" key={webhook.id}>
            <table>
              <caption>
                Newest deliveries to {url} ({webhook.deliveries.totalCount} in all)
              </caption>
              <HeaderRow
                headers={["Event", "Status", "Attempts", "Last answer", "Next attempt", "Actions"]}
              />
              <tbody>
                {webhook.deliveries.nodes.map((delivery) => (
                  <tr key={delivery.id}>
                    <th scope="row">{delivery.type}</th>
                    <td>{delivery.status}</td>
                    <td>{delivery.attempts}</td>
                    <td>{delivery.lastResponseStatus ?? delivery.lastError ?? "—"}</td>
                    <td>
                      {delivery.nextAttemptAt ? new Date(delivery.nextAttemptAt).toLocaleString() : "—"}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => void redeliver({ variables: { deliveryId: delivery.id } })}
                      >
                        Redeliver {delivery.type}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </section>
  );
}

export function WebhooksPage() {
  const allowed = mayAdminister(useViewer().viewer.role);
  const { data, error, loading } = useQuery(WebhooksDocument, { skip: !allowed });
  const search = useSearchParam("q");
  const webhooks =
    data?.webhooks.filter((webhook) =>
      `${webhook.url} ${webhook.description ?? ""}`.toLowerCase().includes(search[0].toLowerCase()),
    ) ?? [];
  return (
    <AdminPage
      title="Webhooks"
      allowed={allowed}
      create={<NewWebhook />}
      searchHint="Search by address or description"
      search={search}
    >
      {error && <RequestError error={error} />}
      {loading && !data && <Loading what="webhooks" />}
      {data &&
        (webhooks.length === 0 ? (
          <p className="status">No webhooks{search[0] && " match"}.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption>Webhooks ({webhooks.length})</caption>
              <HeaderRow headers={["Name", "Events", "State", "Actions"]} />
              <tbody>
                {webhooks.map((webhook) => (
                  <tr key={webhook.id}>
                    <th scope="row">
                      {webhook.url}
                      {webhook.description && <div className="hint">{webhook.description}</div>}
                    </th>
                    <td>{webhook.events.join(", ")}</td>
                    <td>{webhook.active ? "active" : "paused"}</td>
                    <td>
                      <WebhookActions id={webhook.id} url={webhook.url} active={webhook.active} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {data && data.webhooks.length > 0 && <Deliveries />}
    </AdminPage>
  );
}
