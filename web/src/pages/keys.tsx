import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import {
  ArchiveKeyDocument,
  ArchiveKeysDocument,
  CreateKeyDocument,
  GetKeyDocument,
  ListKeysDocument,
  UnarchiveKeyDocument,
  UpdateKeyDocument,
  type KeyFieldsFragment,
  type ValueType,
} from "../../../client";
import { ErrorAlerts, Loaded } from "../components/alerts";
import { Dialog } from "../components/dialog";
import { SelectField, TextField, optionsOf } from "../components/fields";
import { ListPage, useListParams } from "../components/list";
import { useSubmit } from "../submit";
import { emptyValueOf, formatValue, parseValue, showValue } from "../values";
import { mayEdit, useViewer } from "../viewer";
import { ArchiveButtons, UsedBy } from "./shared";
import { ValueField } from "./value-field";

const TYPES: readonly ValueType[] = ["STRING", "NUMBER", "BOOLEAN", "JSON"];

export function KeysPage() {
  const editor = mayEdit(useViewer().viewer.role);
  const list = useListParams();
  const { data, error, loading } = useQuery(ListKeysDocument, {
    variables: { filter: list.filter, ...list.variables },
  });
  const [archiveKeys] = useMutation(ArchiveKeysDocument, { refetchQueries: [ListKeysDocument] });
  return (
    <ListPage<KeyFieldsFragment>
      title="Keys"
      noun="key"
      list={list}
      connection={data?.keys}
      error={error}
      loading={loading}
      create={editor && <NewKey />}
      archive={
        editor ? async (ids) => (await archiveKeys({ variables: { ids } })).data!.archiveKeys : undefined
      }
      linkTo={(key) => `/keys/${key.id}`}
      columns={[
        { header: "Type", cell: (key) => key.type },
        { header: "Default value", cell: (key) => <code>{showValue(key.defaultValue)}</code> },
        { header: "Used by", cell: (key) => <UsedBy usages={key.usages} /> },
        { header: "Updated", sortBy: "UPDATED_AT", cell: (key) => new Date(key.updatedAt).toLocaleString() },
      ]}
    />
  );
}

function NewKey() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [type, setType] = useState<ValueType>("STRING");
  const [value, setValue] = useState("");
  const [description, setDescription] = useState("");
  const [valueError, setValueError] = useState<string>();
  const submit = useSubmit(["name", "type", "defaultValue", "description"]);
  const navigate = useNavigate();
  const [createKey] = useMutation(CreateKeyDocument, { refetchQueries: [ListKeysDocument] });
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseValue(type, value);
    setValueError(parsed.ok ? undefined : parsed.message);
    if (!parsed.ok) return;
    const id = await submit.create(async () => {
      const answer = (
        await createKey({
          variables: {
            input: { name, type, defaultValue: parsed.value, description: description || undefined },
          },
        })
      ).data!.createKey;
      return { id: answer.key?.id, userErrors: answer.userErrors };
    });
    if (id) void navigate(`/keys/${id}`);
  };
  return (
    <Dialog
      title="New key"
      open={open}
      onOpenChange={setOpen}
      trigger={<button type="button">New key</button>}
    >
      <form onSubmit={(event) => void send(event)} noValidate>
        <TextField label="Name" value={name} onChange={setName} error={submit.byField.name} required />
        <SelectField
          label="Type"
          value={type}
          onChange={(next) => {
            setType(next as ValueType);
            setValue(emptyValueOf(next as ValueType));
          }}
          options={optionsOf(TYPES)}
          error={submit.byField.type}
        />
        <ValueField
          label="Default value"
          type={type}
          text={value}
          onChange={setValue}
          error={valueError ?? submit.byField.defaultValue}
        />
        <TextField
          label="Description"
          multiline
          value={description}
          onChange={setDescription}
          error={submit.byField.description}
        />
        <ErrorAlerts errors={submit.general} />
        <button type="submit" disabled={submit.busy}>
          Create
        </button>
      </form>
    </Dialog>
  );
}

export function KeyPage() {
  const { id } = useParams();
  const { data, error, refetch } = useQuery(GetKeyDocument, { variables: { id } });
  // A new version from the server (Reload, or a save) starts the form again from it.
  return (
    <Loaded what="key" error={error} value={data?.key}>
      {(key) => <KeyForm key={`${key.id}:${key.version}`} keyData={key} reload={() => void refetch()} />}
    </Loaded>
  );
}

function KeyForm({ keyData, reload }: { keyData: KeyFieldsFragment; reload(): void }) {
  const { viewer } = useViewer();
  const editable = mayEdit(viewer.role) && !keyData.archived;
  const [value, setValue] = useState(formatValue(keyData.type, keyData.defaultValue));
  const [description, setDescription] = useState(keyData.description ?? "");
  const [valueError, setValueError] = useState<string>();
  const submit = useSubmit(["defaultValue", "description"]);
  const [updateKey] = useMutation(UpdateKeyDocument);
  const [archiveKey] = useMutation(ArchiveKeyDocument);
  const [unarchiveKey] = useMutation(UnarchiveKeyDocument);
  const expected = { id: keyData.id, expectedVersion: keyData.version };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseValue(keyData.type, value);
    setValueError(parsed.ok ? undefined : parsed.message);
    if (!parsed.ok) return;
    await submit.run(
      async () =>
        (await updateKey({ variables: { input: { ...expected, defaultValue: parsed.value, description } } }))
          .data!.updateKey.userErrors,
    );
  };
  return (
    <>
      <h1>{keyData.name}</h1>
      <p>
        {keyData.type} key{keyData.archived && ", archived"} · version {keyData.version}
      </p>
      <form onSubmit={(event) => void save(event)} noValidate>
        <fieldset disabled={!editable}>
          <legend className="visually-hidden">Key</legend>
          <ValueField
            label="Default value"
            type={keyData.type}
            text={value}
            onChange={setValue}
            error={valueError ?? submit.byField.defaultValue}
          />
          <TextField
            label="Description"
            multiline
            value={description}
            onChange={setDescription}
            error={submit.byField.description}
          />
          {editable && (
            <button type="submit" disabled={submit.busy}>
              Save
            </button>
          )}
        </fieldset>
      </form>
      <ErrorAlerts errors={submit.general} onReload={reload} />
      {mayEdit(viewer.role) && (
        <ArchiveButtons
          listField="keys"
          archived={keyData.archived}
          submit={submit}
          archive={async () => (await archiveKey({ variables: expected })).data!.archiveKey.userErrors}
          unarchive={async () => (await unarchiveKey({ variables: expected })).data!.unarchiveKey.userErrors}
        />
      )}
      <h2>Used by</h2>
      <UsedBy usages={keyData.usages} />
    </>
  );
}
