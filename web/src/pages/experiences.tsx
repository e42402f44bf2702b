import { useMutation, useQuery } from "@apollo/client/react";
import { useMemo, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import {
  ArchiveExperiencesDocument,
  CreateAbTestDocument,
  CreateFeatureFlagDocument,
  CreateProductConfigDocument,
  ListExperiencesDocument,
  type CreateAbTestInput,
  type CreateFeatureFlagInput,
  type CreateProductConfigInput,
  type ExperienceFieldsFragment,
  type ExperienceKind,
  type ExperienceStatus,
} from "../../../client";
import { useGoalChoices, useKeyChoices, useSegmentChoices } from "../choices";
import { ErrorAlerts, Loading } from "../components/alerts";
import { Dialog } from "../components/dialog";
import { SelectField } from "../components/fields";
import { ListPage, useListParams } from "../components/list";
import { createInputOf, newDraft, type Draft, type Kind, type KeyTypes } from "../experience-drafts";
import { useSubmit } from "../submit";
import { mayEdit, useViewer } from "../viewer";
import { ExperienceEditor, type Choices } from "./experience-editor";

export const KIND_NAMES: Record<ExperienceKind, string> = {
  PRODUCT_CONFIG: "Product config",
  FEATURE_FLAG: "Feature flag",
  AB_TEST: "A/B test",
};
export const STATUS_NAMES: Record<ExperienceStatus, string> = {
  DRAFT: "Draft",
  RUNNING: "Running",
  PAUSED: "Paused",
  STOPPED: "Stopped",
};

/** Every active key, segment and goal, and the keys' types; null until all have come (or while not `enabled`). */
export function useChoices(enabled = true): { choices: Choices; types: KeyTypes } | null {
  const keys = useKeyChoices(enabled);
  const segments = useSegmentChoices(enabled);
  const goals = useGoalChoices(enabled);
  return useMemo(
    () =>
      keys && segments && goals
        ? { choices: { keys, segments, goals }, types: new Map(keys.map((key) => [key.id, key.type])) }
        : null,
    [keys, segments, goals],
  );
}

export function ExperiencesPage() {
  const editor = mayEdit(useViewer().viewer.role);
  const list = useListParams();
  const kind = (list.params.get("kind") || undefined) as ExperienceKind | undefined;
  const status = (list.params.get("status") || undefined) as ExperienceStatus | undefined;
  const stale = list.params.get("stale") === "1";
  const { data, error, loading } = useQuery(ListExperiencesDocument, {
    variables: { filter: { ...list.filter, kind, status, stale: stale || undefined }, ...list.variables },
  });
  const [archiveExperiences] = useMutation(ArchiveExperiencesDocument, {
    refetchQueries: [ListExperiencesDocument],
  });
  return (
    <ListPage<ExperienceFieldsFragment>
      title="Experiences"
      noun="experience"
      list={list}
      connection={data?.experiences}
      error={error}
      loading={loading}
      create={
        editor && (
          <div className="toolbar">
            <NewExperience kind="PRODUCT_CONFIG" />
            <NewExperience kind="FEATURE_FLAG" />
            <NewExperience kind="AB_TEST" />
          </div>
        )
      }
      moreFilters={
        <div className="filters">
          <SelectField
            label="Kind"
            value={kind ?? ""}
            onChange={(value) => list.set({ kind: value })}
            options={[
              { value: "", label: "All kinds" },
              ...Object.entries(KIND_NAMES).map(([value, label]) => ({ value, label })),
            ]}
          />
          <SelectField
            label="Status"
            value={status ?? ""}
            onChange={(value) => list.set({ status: value })}
            options={[
              { value: "", label: "Any status" },
              ...Object.entries(STATUS_NAMES).map(([value, label]) => ({ value, label })),
            ]}
          />
          <label className="checkbox">
            <input
              type="checkbox"
              checked={stale}
              onChange={(event) => list.set({ stale: event.target.checked ? "1" : null })}
            />
            Stale flags only
          </label>
        </div>
      }
      archive={
        editor
          ? async (ids) => (await archiveExperiences({ variables: { ids } })).data!.archiveExperiences
          : undefined
      }
      linkTo={(experience) => `/experiences/${experience.id}`}
      columns={[
        { header: "Kind", cell: (experience) => KIND_NAMES[experience.kind] },
        {
          header: "Status",
          cell: (experience) => (
            <>
              {STATUS_NAMES[experience.status]}
              {experience.__typename === "FeatureFlag" && experience.staleSince && (
                <span className="badge">stale</span>
              )}
            </>
          ),
        },
        { header: "Segment", cell: (experience) => experience.segment?.name ?? "Everyone" },
        {
          header: "Updated",
          sortBy: "UPDATED_AT",
          cell: (experience) => new Date(experience.updatedAt).toLocaleString(),
        },
      ]}
    />
  );
}

function NewExperience({ kind }: { kind: Kind }) {
  const [open, setOpen] = useState(false);
  const title = kind === "AB_TEST" ? "New A/B test" : `New ${KIND_NAMES[kind].toLowerCase()}`;
  return (
    <Dialog title={title} open={open} onOpenChange={setOpen} trigger={<button type="button">{title}</button>}>
      {open && <CreateForm kind={kind} />}
    </Dialog>
  );
}

function CreateForm({ kind }: { kind: Kind }) {
  const loaded = useChoices();
  const [draft, setDraft] = useState<Draft>(() => newDraft(kind));
  const [local, setLocal] = useState<Record<string, string>>({});
  const submit = useSubmit([
    "name",
    "description",
    "segmentId",
    "priority",
    "values",
    "keyId",
    "value",
    "rolloutPercentage",
    "trafficPercentage",
    "goalIds",
    "primaryGoalId",
    "guardrailGoalIds",
    "exposureEvent",
    "variants",
  ]);
  const navigate = useNavigate();
  const refetchQueries = [ListExperiencesDocument];
  const [createConfig] = useMutation(CreateProductConfigDocument, { refetchQueries });
  const [createFlag] = useMutation(CreateFeatureFlagDocument, { refetchQueries });
  const [createTest] = useMutation(CreateAbTestDocument, { refetchQueries });
  if (!loaded) return <Loading what="keys, segments and goals" />;
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const converted = createInputOf(draft, loaded.types);
    setLocal(converted.ok ? {} : converted.errors);
    if (!converted.ok) return;
    const id = await submit.create(async () => {
      const answer =
        kind === "PRODUCT_CONFIG"
          ? (await createConfig({ variables: { input: converted.input as CreateProductConfigInput } })).data!
              .createProductConfig
          : kind === "FEATURE_FLAG"
            ? (await createFlag({ variables: { input: converted.input as CreateFeatureFlagInput } })).data!
                .createFeatureFlag
            : (await createTest({ variables: { input: converted.input as CreateAbTestInput } })).data!
                .createABTest;
      return { id: answer.experience?.id, userErrors: answer.userErrors };
    });
    if (id) void navigate(`/experiences/${id}`);
  };
  return (
    <form onSubmit={(event) => void send(event)} noValidate>
      <ExperienceEditor
        draft={draft}
        onChange={setDraft}
        choices={loaded.choices}
        errorAt={(path) => local[path] ?? submit.errorAt(path)}
        isNew
      />
      <ErrorAlerts errors={submit.general} />
      <button type="submit" disabled={submit.busy}>
        Create
      </button>
    </form>
  );
}
