import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import {
  ArchiveGoalDocument,
  ArchiveGoalsDocument,
  CreateGoalDocument,
  GetGoalDocument,
  ListGoalsDocument,
  UnarchiveGoalDocument,
  UpdateGoalDocument,
  type GoalFieldsFragment,
} from "../../../client";
import { ErrorAlerts, Loaded } from "../components/alerts";
import { Dialog } from "../components/dialog";
import { CheckboxField, TextField } from "../components/fields";
import { ListPage, useListParams } from "../components/list";
import { useSubmit } from "../submit";
import { mayEdit, useViewer } from "../viewer";
import { ArchiveButtons, UsedBy } from "./shared";

const FIELDS = ["name", "description", "events", "valueProperty", "higherIsBetter"];

/** What the goal form edits, as text; events one per line or separated by commas. */
interface GoalDraft {
  name: string;
  description: string;
  events: string;
  valueProperty: string;
  higherIsBetter: boolean;
}

const draftOf = (goal?: GoalFieldsFragment): GoalDraft => ({
  name: goal?.name ?? "",
  description: goal?.description ?? "",
  events: goal?.events.join("\n") ?? "",
  valueProperty: goal?.valueProperty ?? "",
  higherIsBetter: goal?.higherIsBetter ?? true,
});

const inputOf = (draft: GoalDraft) => ({
  name: draft.name,
  description: draft.description,
  events: draft.events
    .split(/[\n,]/)
    .map((event) => event.trim())
    .filter(Boolean),
  valueProperty: draft.valueProperty.trim() || null,
  higherIsBetter: draft.higherIsBetter,
});

function GoalFields({
  draft,
  onChange,
  errors,
}: {
  draft: GoalDraft;
  onChange(draft: GoalDraft): void;
  errors: Record<string, string>;
}) {
  const set = (changes: Partial<GoalDraft>) => onChange({ ...draft, ...changes });
  return (
    <>
      <TextField label="Name" value={draft.name} onChange={(name) => set({ name })} error={errors.name} />
      <TextField
        label="Events"
        multiline
        value={draft.events}
        onChange={(events) => set({ events })}
        error={errors.events}
        hint="One event name per line; any of them counts."
      />
      <TextField
        label="Value property"
        value={draft.valueProperty}
        onChange={(valueProperty) => set({ valueProperty })}
        error={errors.valueProperty}
        hint="An event property to sum, e.g. amount; empty to count conversions only."
      />
      <CheckboxField
        label="Higher is better"
        checked={draft.higherIsBetter}
        onChange={(higherIsBetter) => set({ higherIsBetter })}
        error={errors.higherIsBetter}
      />
      <TextField
        label="Description"
        multiline
        value={draft.description}
        onChange={(description) => set({ description })}
        error={errors.description}
      />
    </>
  );
}

export function GoalsPage() {
  const editor = mayEdit(useViewer().viewer.role);
  const list = useListParams();
  const { data, error, loading } = useQuery(ListGoalsDocument, {
    variables: { filter: list.filter, ...list.variables },
  });
  const [archiveGoals] = useMutation(ArchiveGoalsDocument, { refetchQueries: [ListGoalsDocument] });
  return (
    <ListPage<GoalFieldsFragment>
      title="Goals"
      noun="goal"
      list={list}
      connection={data?.goals}
      error={error}
      loading={loading}
      create={editor && <NewGoal />}
      archive={
        editor ? async (ids) => (await archiveGoals({ variables: { ids } })).data!.archiveGoals : undefined
      }
      linkTo={(goal) => `/goals/${goal.id}`}
      columns={[
        { header: "Events", cell: (goal) => goal.events.join(", ") },
        { header: "Value property", cell: (goal) => goal.valueProperty ?? "" },
        { header: "Used by", cell: (goal) => <UsedBy usages={goal.usages} /> },
      ]}
    />
  );
}

function NewGoal() {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(draftOf);
  const submit = useSubmit(FIELDS);
  const navigate = useNavigate();
  const [createGoal] = useMutation(CreateGoalDocument, { refetchQueries: [ListGoalsDocument] });
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const id = await submit.create(async () => {
      const answer = (await createGoal({ variables: { input: inputOf(draft) } })).data!.createGoal;
      return { id: answer.goal?.id, userErrors: answer.userErrors };
    });
    if (id) void navigate(`/goals/${id}`);
  };
  return (
    <Dialog
      title="New goal"
      open={open}
      onOpenChange={setOpen}
      trigger={<button type="button">New goal</button>}
    >
      <form onSubmit={(event) => void send(event)} noValidate>
        <GoalFields draft={draft} onChange={setDraft} errors={submit.byField} />
        <ErrorAlerts errors={submit.general} />
        <button type="submit" disabled={submit.busy}>
          Create
        </button>
      </form>
    </Dialog>
  );
}

export function GoalPage() {
  const { id } = useParams();
  const { data, error, refetch } = useQuery(GetGoalDocument, { variables: { id: id! } });
  return (
    <Loaded what="goal" error={error} value={data?.goal}>
      {(goal) => <GoalForm key={`${goal.id}:${goal.version}`} goal={goal} reload={() => void refetch()} />}
    </Loaded>
  );
}

function GoalForm({ goal, reload }: { goal: GoalFieldsFragment; reload(): void }) {
  const { viewer } = useViewer();
  const editable = mayEdit(viewer.role) && !goal.archived;
  const [draft, setDraft] = useState(() => draftOf(goal));
  const submit = useSubmit(FIELDS);
  const [updateGoal] = useMutation(UpdateGoalDocument);
  const [archiveGoal] = useMutation(ArchiveGoalDocument);
  const [unarchiveGoal] = useMutation(UnarchiveGoalDocument);
  const expected = { id: goal.id, expectedVersion: goal.version };
  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(
      async () =>
        (await updateGoal({ variables: { input: { ...expected, ...inputOf(draft) } } })).data!.updateGoal
          .userErrors,
    );
  };
  return (
    <>
      <h1>{goal.name}</h1>
      <p>
        Goal{goal.archived && ", archived"} · version {goal.version}
      </p>
      <form onSubmit={save} noValidate>
        <fieldset disabled={!editable}>
          <legend className="visually-hidden">Goal</legend>
          <GoalFields draft={draft} onChange={setDraft} errors={submit.byField} />
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
          listField="goals"
          archived={goal.archived}
          submit={submit}
          archive={async () => (await archiveGoal({ variables: expected })).data!.archiveGoal.userErrors}
          unarchive={async () =>
            (await unarchiveGoal({ variables: expected })).data!.unarchiveGoal.userErrors
          }
        />
      )}
      <h2>Used by</h2>
      <UsedBy usages={goal.usages} />
    </>
  );
}
