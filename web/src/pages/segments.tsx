import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import {
  ArchiveSegmentDocument,
  ArchiveSegmentsDocument,
  CloneSegmentDocument,
  CreateSegmentDocument,
  GetSegmentDocument,
  ListSegmentsDocument,
  UnarchiveSegmentDocument,
  UpdateSegmentDocument,
  type SegmentFieldsFragment,
} from "../../../client";
import { ErrorAlerts, Loaded } from "../components/alerts";
import { Dialog } from "../components/dialog";
import { TextField } from "../components/fields";
import { ListPage, useListParams } from "../components/list";
import { emptyRule, fromStoredRule, toRuleInput, type RuleModel } from "../rules";
import { useSubmit } from "../submit";
import { mayEdit, useViewer } from "../viewer";
import { RuleBuilder } from "./rule-builder";
import { ArchiveButtons, UsedBy } from "./shared";

const FIELDS = ["name", "description", "rule"];

export function SegmentsPage() {
  const editor = mayEdit(useViewer().viewer.role);
  const list = useListParams();
  const { data, error, loading } = useQuery(ListSegmentsDocument, {
    variables: { filter: list.filter, ...list.variables },
  });
  const [archiveSegments] = useMutation(ArchiveSegmentsDocument, { refetchQueries: [ListSegmentsDocument] });
  return (
    <ListPage<SegmentFieldsFragment>
      title="Segments"
      noun="segment"
      list={list}
      connection={data?.segments}
      error={error}
      loading={loading}
      create={editor && <NewSegment />}
      archive={
        editor
          ? async (ids) => (await archiveSegments({ variables: { ids } })).data!.archiveSegments
          : undefined
      }
      linkTo={(segment) => `/segments/${segment.id}`}
      columns={[
        { header: "Description", cell: (segment) => segment.description },
        { header: "Used by", cell: (segment) => <UsedBy usages={segment.usages} /> },
        {
          header: "Updated",
          sortBy: "UPDATED_AT",
          cell: (segment) => new Date(segment.updatedAt).toLocaleString(),
        },
      ]}
    />
  );
}

function NewSegment() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [rule, setRule] = useState<RuleModel>(emptyRule);
  const submit = useSubmit(FIELDS);
  const navigate = useNavigate();
  const [createSegment] = useMutation(CreateSegmentDocument, { refetchQueries: [ListSegmentsDocument] });
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const id = await submit.create(async () => {
      const answer = (
        await createSegment({
          variables: { input: { name, description: description || undefined, rule: toRuleInput(rule) } },
        })
      ).data!.createSegment;
      return { id: answer.segment?.id, userErrors: answer.userErrors };
    });
    if (id) void navigate(`/segments/${id}`);
  };
  return (
    <Dialog
      title="New segment"
      open={open}
      onOpenChange={setOpen}
      trigger={<button type="button">New segment</button>}
    >
      <form onSubmit={(event) => void send(event)} noValidate>
        <TextField label="Name" value={name} onChange={setName} error={submit.byField.name} />
        <TextField
          label="Description"
          multiline
          value={description}
          onChange={setDescription}
          error={submit.byField.description}
        />
        <RuleBuilder rule={rule} onChange={setRule} errorAt={submit.errorAt} />
        <ErrorAlerts errors={submit.general} />
        <button type="submit" disabled={submit.busy}>
          Create
        </button>
      </form>
    </Dialog>
  );
}

export function SegmentPage() {
  const { id } = useParams();
  const { data, error, refetch } = useQuery(GetSegmentDocument, { variables: { id: id! } });
  return (
    <Loaded what="segment" error={error} value={data?.segment}>
      {(segment) => (
        <SegmentForm
          key={`${segment.id}:${segment.version}`}
          segment={segment}
          reload={() => void refetch()}
        />
      )}
    </Loaded>
  );
}

function SegmentForm({ segment, reload }: { segment: SegmentFieldsFragment; reload(): void }) {
  const { viewer } = useViewer();
  const editable = mayEdit(viewer.role) && !segment.archived;
  const [name, setName] = useState(segment.name);
  const [description, setDescription] = useState(segment.description ?? "");
  const [rule, setRule] = useState<RuleModel>(() => fromStoredRule(segment.rule));
  const submit = useSubmit(FIELDS);
  const navigate = useNavigate();
  const [updateSegment] = useMutation(UpdateSegmentDocument);
  const [archiveSegment] = useMutation(ArchiveSegmentDocument);
  const [unarchiveSegment] = useMutation(UnarchiveSegmentDocument);
  const [cloneSegment] = useMutation(CloneSegmentDocument, { refetchQueries: [ListSegmentsDocument] });
  const expected = { id: segment.id, expectedVersion: segment.version };
  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(
      async () =>
        (
          await updateSegment({
            variables: { input: { ...expected, name, description, rule: toRuleInput(rule) } },
          })
        ).data!.updateSegment.userErrors,
    );
  };
  const clone = async () => {
    const id = await submit.create(async () => {
      const answer = (await cloneSegment({ variables: { id: segment.id } })).data!.cloneSegment;
      return { id: answer.segment?.id, userErrors: answer.userErrors };
    });
    if (id) void navigate(`/segments/${id}`);
  };
  return (
    <>
      <h1>{segment.name}</h1>
      <p>
        Segment{segment.archived && ", archived"} · version {segment.version}
        {segment.clonedFrom && <> · cloned from {segment.clonedFrom.name}</>}
      </p>
      <form onSubmit={save} noValidate>
        <fieldset disabled={!editable}>
          <legend className="visually-hidden">Segment</legend>
          <TextField label="Name" value={name} onChange={setName} error={submit.byField.name} />
          <TextField
            label="Description"
            multiline
            value={description}
            onChange={setDescription}
            error={submit.byField.description}
          />
          <RuleBuilder rule={rule} onChange={setRule} errorAt={submit.errorAt} />
          {editable && (
            <button type="submit" disabled={submit.busy}>
              Save
            </button>
          )}
        </fieldset>
      </form>
      <ErrorAlerts errors={submit.general} onReload={reload} />
      {mayEdit(viewer.role) && (
        <div className="toolbar">
          <button type="button" onClick={() => void clone()}>
            Clone
          </button>
          <ArchiveButtons
            listField="segments"
            archived={segment.archived}
            submit={submit}
            archive={async () =>
              (await archiveSegment({ variables: expected })).data!.archiveSegment.userErrors
            }
            unarchive={async () =>
              (await unarchiveSegment({ variables: expected })).data!.unarchiveSegment.userErrors
            }
          />
        </div>
      )}
      <h2>Used by</h2>
      <UsedBy usages={segment.usages} />
    </>
  );
}
