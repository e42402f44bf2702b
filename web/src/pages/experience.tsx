import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import {
  ArchiveExperienceDocument,
  ExperienceHistoryDocument,
  GetExperienceDocument,
  PauseExperienceDocument,
  RevertExperienceDocument,
  ScheduleExperienceDocument,
  StartExperienceDocument,
  StopExperienceDocument,
  UpdateAbTestDocument,
  UpdateFeatureFlagDocument,
  UpdateProductConfigDocument,
  type GetExperienceQuery,
  type UpdateAbTestInput,
  type UpdateFeatureFlagInput,
  type UpdateProductConfigInput,
} from "../../../client";
import { ErrorAlerts, Loaded, Loading } from "../components/alerts";
import { Dialog } from "../components/dialog";
import { TextField } from "../components/fields";
import { draftOf, updateInputOf, type Draft } from "../experience-drafts";
import { useSubmit } from "../submit";
import { showValue } from "../values";
import { mayEdit, useViewer } from "../viewer";
import { ExperienceEditor } from "./experience-editor";
import { KIND_NAMES, STATUS_NAMES, useChoices } from "./experiences";
import { Results, preloadChart, useResults } from "./results";
import { TestUsers, VariantActions } from "./ab-operations";

export type Experience = NonNullable<GetExperienceQuery["experience"]>;
const FIELDS = [
  "name",
  "description",
  "segmentId",
  "priority",
  "values",
  "value",
  "rolloutPercentage",
  "trafficPercentage",
  "goalIds",
  "primaryGoalId",
  "guardrailGoalIds",
  "exposureEvent",
  "variants",
];

export function ExperiencePage() {
  const { id } = useParams();
  const { data, error, refetch } = useQuery(GetExperienceDocument, { variables: { id: id! } });
  const results = useResults(id!);
  useEffect(preloadChart, []);
  return (
    <Loaded what="experience" error={error} value={data?.experience}>
      {(experience) => (
        <ExperienceView experience={experience} results={results} reload={() => void refetch()} />
      )}
    </Loaded>
  );
}

/** When it starts and stops by itself; empty fields clear a schedule. */
function ScheduleDialog({
  experience,
  submit,
}: {
  experience: Experience;
  submit: ReturnType<typeof useSubmit>;
}) {
  const [open, setOpen] = useState(false);
  const local = (at: string | null | undefined) => (at ? new Date(at).toISOString().slice(0, 16) : "");
  const [startAt, setStartAt] = useState(local(experience.scheduledStartAt));
  const [stopAt, setStopAt] = useState(local(experience.scheduledStopAt));
  const [schedule] = useMutation(ScheduleExperienceDocument);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const at = (text: string) => (text ? new Date(`${text}Z`).toISOString() : null);
    const done = await submit.run(
      async () =>
        (
          await schedule({
            variables: {
              id: experience.id,
              expectedVersion: experience.version,
              startAt: at(startAt),
              stopAt: at(stopAt),
            },
          })
        ).data!.scheduleExperience.userErrors,
    );
    if (done) setOpen(false);
  };
  return (
    <Dialog
      title="Schedule"
      open={open}
      onOpenChange={setOpen}
      trigger={<button type="button">Schedule</button>}
    >
      <form onSubmit={(event) => void send(event)} noValidate>
        <TextField
          label="Start at (UTC)"
          type="datetime-local"
          value={startAt}
          onChange={setStartAt}
          error={submit.errorAt("startAt")}
        />
        <TextField
          label="Stop at (UTC)"
          type="datetime-local"
          value={stopAt}
          onChange={setStopAt}
          error={submit.errorAt("stopAt")}
        />
        <ErrorAlerts errors={submit.general} />
        <button type="submit">Save schedule</button>
      </form>
    </Dialog>
  );
}

function Lifecycle({ experience, submit }: { experience: Experience; submit: ReturnType<typeof useSubmit> }) {
  const variables = { id: experience.id, expectedVersion: experience.version };
  const [start] = useMutation(StartExperienceDocument);
  const [pause] = useMutation(PauseExperienceDocument);
  const [stop] = useMutation(StopExperienceDocument);
  const [archive] = useMutation(ArchiveExperienceDocument);
  const { cache } = useApolloClient();
  const { status } = experience;
  if (experience.archived) return null;
  return (
    <div className="toolbar">
      {(status === "DRAFT" || status === "PAUSED") && (
        <button
          type="button"
          onClick={() =>
            void submit.run(async () => (await start({ variables })).data!.startExperience.userErrors)
          }
        >
          Start
        </button>
      )}
      {status === "RUNNING" && (
        <button
          type="button"
          onClick={() =>
            void submit.run(async () => (await pause({ variables })).data!.pauseExperience.userErrors)
          }
        >
          Pause
        </button>
      )}
      {(status === "RUNNING" || status === "PAUSED") && (
        <button
          type="button"
          onClick={() =>
            void submit.run(async () => (await stop({ variables })).data!.stopExperience.userErrors)
          }
        >
          Stop
        </button>
      )}
      {status !== "STOPPED" && <ScheduleDialog experience={experience} submit={submit} />}
      {(status === "DRAFT" || status === "STOPPED") && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void submit
              .run(async () => (await archive({ variables })).data!.archiveExperience.userErrors)
              .then((done) => {
                // No list may show it among the active ones, even for a moment.
                if (done) cache.evict({ id: "ROOT_QUERY", fieldName: "experiences" });
              })
          }
        >
          Archive
        </button>
      )}
    </div>
  );
}

function Serves({ experience }: { experience: Experience }) {
  return (
    <dl className="facts">
      <dt>Segment</dt>
      <dd>
        {experience.segment ? (
          <Link to={`/segments/${experience.segment.id}`}>{experience.segment.name}</Link>
        ) : (
          "Everyone"
        )}
      </dd>
      {experience.scheduledStartAt && (
        <>
          <dt>Starts at</dt>
          <dd>{new Date(experience.scheduledStartAt).toLocaleString()}</dd>
        </>
      )}
      {experience.scheduledStopAt && (
        <>
          <dt>Stops at</dt>
          <dd>{new Date(experience.scheduledStopAt).toLocaleString()}</dd>
        </>
      )}
      {experience.__typename === "ProductConfig" && (
        <>
          <dt>Priority</dt>
          <dd>{experience.priority}</dd>
          <dt>Values</dt>
          <dd>
            {experience.values.map((value) => (
              <div key={value.key.id}>
                {value.key.name} = <code>{showValue(value.value)}</code>
              </div>
            ))}
          </dd>
        </>
      )}
      {experience.__typename === "FeatureFlag" && (
        <>
          <dt>Serves</dt>
          <dd>
            {experience.key.name} = <code>{showValue(experience.value)}</code> to{" "}
            {experience.rolloutPercentage}%
          </dd>
          {experience.staleSince && (
            <>
              <dt>Stale since</dt>
              <dd>{new Date(experience.staleSince).toLocaleDateString()}</dd>
            </>
          )}
        </>
      )}
      {experience.__typename === "ABTest" && (
        <>
          <dt>Traffic</dt>
          <dd>{experience.trafficPercentage}% of the segment</dd>
          <dt>Goals</dt>
          <dd>
            {experience.goals.map((goal) => goal.name).join(", ")} (primary: {experience.primaryGoal.name})
          </dd>
          <dt>Variants</dt>
          <dd>
            {experience.variants.map((variant) => (
              <div key={variant.id}>
                {variant.name}
                {variant.isControl && " (control)"}: {variant.weight}%{" "}
                {variant.values.map((value) => `${value.key.name} = ${showValue(value.value)}`).join(", ")}
              </div>
            ))}
          </dd>
        </>
      )}
    </dl>
  );
}

function Editor(props: {
  experience: Experience;
  initial: Draft;
  loaded: NonNullable<ReturnType<typeof useChoices>>;
  reload(): void;
}) {
  const { experience, initial } = props;
  const { types, choices } = props.loaded;
  const [draft, setDraft] = useState(initial);
  const [local, setLocal] = useState<Record<string, string>>({});
  const submit = useSubmit(FIELDS);
  const [updateConfig] = useMutation(UpdateProductConfigDocument);
  const [updateFlag] = useMutation(UpdateFeatureFlagDocument);
  const [updateTest] = useMutation(UpdateAbTestDocument);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const converted = updateInputOf(initial, draft, types, experience.id, experience.version);
    setLocal(converted.ok ? {} : converted.errors);
    if (!converted.ok) return;
    await submit.run(async () => {
      switch (experience.__typename) {
        case "ProductConfig":
          return (
            await updateConfig({
              variables: { input: converted.input as unknown as UpdateProductConfigInput },
            })
          ).data!.updateProductConfig.userErrors;
        case "FeatureFlag":
          return (
            await updateFlag({ variables: { input: converted.input as unknown as UpdateFeatureFlagInput } })
          ).data!.updateFeatureFlag.userErrors;
        case "ABTest":
          return (await updateTest({ variables: { input: converted.input as unknown as UpdateAbTestInput } }))
            .data!.updateABTest.userErrors;
      }
    });
  };
  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <fieldset>
        <legend>Edit</legend>
        <ExperienceEditor
          draft={draft}
          onChange={setDraft}
          choices={choices}
          errorAt={(path) => local[path] ?? submit.errorAt(path)}
          isNew={false}
        />
        <button type="submit" disabled={submit.busy}>
          Save
        </button>
      </fieldset>
      <ErrorAlerts errors={submit.general} onReload={props.reload} />
    </form>
  );
}

function History({ experience }: { experience: Experience }) {
  const { viewer } = useViewer();
  const { data, refetch } = useQuery(ExperienceHistoryDocument, {
    variables: { id: experience.id, first: 50 },
  });
  const [revert] = useMutation(RevertExperienceDocument);
  const submit = useSubmit([]);
  // A change made on this page is a new version: the list follows it.
  // (The query itself asked for the version the page opened with: only later ones ask again.)
  const shownVersion = useRef(experience.version);
  useEffect(() => {
    if (shownVersion.current === experience.version) return;
    shownVersion.current = experience.version;
    void refetch();
  }, [experience.version, refetch]);
  const history = data?.experience?.history;
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <ErrorAlerts errors={submit.general} />
      {!history ? (
        <Loading what="the history" />
      ) : (
        <ol className="history" reversed>
          {history.nodes.map((version) => (
            <li key={version.version}>
              <strong>Version {version.version}</strong>: {version.action} by {version.actor},{" "}
              {new Date(version.at).toLocaleString()}, {STATUS_NAMES[version.status]}
              {version.changedFields.length > 0 && <> — changed {version.changedFields.join(", ")}</>}
              {version.version < experience.version && !experience.archived && mayEdit(viewer.role) && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    void submit.run(
                      async () =>
                        (
                          await revert({
                            variables: {
                              id: experience.id,
                              toVersion: version.version,
                              expectedVersion: experience.version,
                            },
                          })
                        ).data!.revertExperience.userErrors,
                    )
                  }
                >
                  Revert to version {version.version}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ExperienceView({
  experience,
  results,
  reload,
}: {
  experience: Experience;
  results: ReturnType<typeof useResults>;
  reload(): void;
}) {
  const { viewer } = useViewer();
  const editable = mayEdit(viewer.role) && !experience.archived && experience.status !== "STOPPED";
  // The editor's choices come after what the page shows (an A/B test's results first).
  const loaded = useChoices(editable && !results.loading);
  const submit = useSubmit([]);
  return (
    <>
      <h1>{experience.name}</h1>
      <p>
        {KIND_NAMES[experience.kind]}, <span className="status-word">{STATUS_NAMES[experience.status]}</span>
        {experience.archived && ", archived"} · version {experience.version}
      </p>
      {experience.description && <p>{experience.description}</p>}
      {mayEdit(viewer.role) && <Lifecycle experience={experience} submit={submit} />}
      <ErrorAlerts errors={submit.general} onReload={reload} />
      <Serves experience={experience} />
      {experience.__typename === "ABTest" && (
        <>
          {experience.guardrailBreach && (
            <div role="alert" className="alert">
              <p>
                Guardrail breached: {experience.guardrailBreach.goal.name} got worse for{" "}
                {experience.guardrailBreach.variant.name} on{" "}
                {new Date(experience.guardrailBreach.at).toLocaleString()}.
              </p>
            </div>
          )}
          <Results experience={experience} asked={results} />
          <VariantActions experience={experience} />
          <TestUsers experience={experience} />
        </>
      )}
      {editable &&
        (loaded ? (
          <Editor
            key={experience.version}
            experience={experience}
            initial={draftOf(experience, loaded.types)}
            loaded={loaded}
            reload={reload}
          />
        ) : (
          <Loading what="keys, segments and goals" />
        ))}
      <History experience={experience} />
    </>
  );
}
