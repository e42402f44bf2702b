import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import {
  ApiTokensDocument,
  CreateApiTokenDocument,
  RevokeApiTokenDocument,
  type Role,
} from "../../../client";
import { ErrorAlerts, Loading, RequestError } from "../components/alerts";
import { ConfirmButton, Dialog } from "../components/dialog";
import { SelectField, TextField } from "../components/fields";
import { AdminPage, HeaderRow, useSearchParam } from "../components/list";
import { useSubmit } from "../submit";
import { mayAdminister, useViewer } from "../viewer";
import { SecretField } from "./secret-field";

const ROLES: { value: Role; label: string }[] = [
  { value: "SDK", label: "SDK (apps: evaluate, trackEvents, identify)" },
  { value: "VIEWER", label: "VIEWER (read only)" },
  { value: "EDITOR", label: "EDITOR (change setup and experiences)" },
  { value: "ADMIN", label: "ADMIN (everything, tokens and webhooks too)" },
];

function NewToken() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("SDK");
  const [secret, setSecret] = useState<string | null>(null);
  const submit = useSubmit(["name", "role"]);
  const [createToken] = useMutation(CreateApiTokenDocument, { refetchQueries: [ApiTokensDocument] });
  const send = async (event: FormEvent) => {
    event.preventDefault();
    await submit.run(async () => {
      const answer = (await createToken({ variables: { input: { name, role } } })).data!.createApiToken;
      setSecret(answer.secret ?? null);
      return answer.userErrors;
    });
  };
  const reset = (next: boolean) => {
    setOpen(next);
    if (!next) {
      setSecret(null);
      setName("");
      submit.clear();
    }
  };
  return (
    <Dialog
      title="New token"
      open={open}
      onOpenChange={reset}
      trigger={<button type="button">New token</button>}
    >
      {secret ? (
        <SecretField secret={secret} what={`the token ${name}`} />
      ) : (
        <form onSubmit={(event) => void send(event)} noValidate>
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            error={submit.byField.name}
            hint="Shown as the actor in the audit log, e.g. ios-app or alice."
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(next) => setRole(next as Role)}
            options={ROLES}
            error={submit.byField.role}
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

function Revoke({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [revoke] = useMutation(RevokeApiTokenDocument, { refetchQueries: [ApiTokensDocument] });
  return (
    <ConfirmButton
      label={`Revoke ${name}`}
      question={`Revoke ${name}? Every app or person using it is refused from the next request on.`}
      confirm="Revoke"
      open={open}
      onOpenChange={setOpen}
      onConfirm={() => void revoke({ variables: { id } })}
    />
  );
}

export function TokensPage() {
  const allowed = mayAdminister(useViewer().viewer.role);
  const { data, error, loading } = useQuery(ApiTokensDocument, { skip: !allowed });
  const search = useSearchParam("q");
  const tokens =
    data?.apiTokens.filter((token) => token.name.toLowerCase().includes(search[0].toLowerCase())) ?? [];
  return (
    <AdminPage
      title="Tokens"
      allowed={allowed}
      create={<NewToken />}
      searchHint="Search by name"
      search={search}
    >
      {error && <RequestError error={error} />}
      {loading && !data && <Loading what="tokens" />}
      {data && (
        <div className="table-wrap">
          <table>
            <caption>Tokens ({tokens.length})</caption>
            <HeaderRow headers={["Name", "Role", "Created", "Last used", "State", "Actions"]} />
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id}>
                  <th scope="row">{token.name}</th>
                  <td>{token.role}</td>
                  <td>{new Date(token.createdAt).toLocaleString()}</td>
                  <td>{token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : "never"}</td>
                  <td>{token.revoked ? "revoked" : "active"}</td>
                  <td>{!token.revoked && <Revoke id={token.id} name={token.name} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminPage>
  );
}
