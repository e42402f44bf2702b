import { useMutation, useQuery } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { GetSettingsDocument, UpdateSettingsDocument, type GetSettingsQuery } from "../../../client";
import { ErrorAlerts, Loading, RequestError } from "../components/alerts";
import { CheckboxField } from "../components/fields";
import { useSubmit } from "../submit";
import { mayEdit, useViewer } from "../viewer";
import { AnalysisFields, analysisDraftOf, analysisInputOf } from "./analysis-fields";

export function SettingsPage() {
  const { data, error, refetch } = useQuery(GetSettingsDocument);
  // The form starts again from each new version, so what it saved is said here, outside it.
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  if (error) return <RequestError error={error} />;
  if (!data) return <Loading what="the settings" />;
  return (
    <>
      <SettingsForm
        key={data.settings.version}
        settings={data.settings}
        reload={() => void refetch()}
        onSaved={setSavedVersion}
      />
      {savedVersion === data.settings.version && <p role="status">Saved as version {savedVersion}.</p>}
    </>
  );
}

function SettingsForm(props: {
  settings: GetSettingsQuery["settings"];
  reload(): void;
  onSaved(version: number): void;
}) {
  const { settings, reload } = props;
  const { viewer } = useViewer();
  const [exclusive, setExclusive] = useState(settings.mutuallyExclusiveABTests);
  const [analysis, setAnalysis] = useState(() => analysisDraftOf(settings.defaultAnalysis));
  const submit = useSubmit(["mutuallyExclusiveABTests"]);
  const [updateSettings] = useMutation(UpdateSettingsDocument);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    let version: number | undefined;
    const done = await submit.run(async () => {
      const answer = (
        await updateSettings({
          variables: {
            input: {
              expectedVersion: settings.version,
              mutuallyExclusiveABTests: exclusive,
              defaultAnalysis: analysisInputOf(analysis),
            },
          },
        })
      ).data!.updateSettings;
      version = answer.settings?.version;
      return answer.userErrors;
    });
    if (done && version !== undefined) props.onSaved(version);
  };
  return (
    <>
      <h1>Settings</h1>
      <p>
        Version {settings.version}, changed {new Date(settings.updatedAt).toLocaleString()}.
      </p>
      <form onSubmit={(event) => void save(event)} noValidate>
        <fieldset disabled={!mayEdit(viewer.role)}>
          <legend className="visually-hidden">Settings</legend>
          <CheckboxField
            label="Mutually exclusive A/B tests by default"
            checked={exclusive}
            onChange={setExclusive}
            error={submit.byField.mutuallyExclusiveABTests}
          />
          <AnalysisFields
            legend="Default analysis"
            draft={analysis}
            onChange={setAnalysis}
            errorAt={(name) => submit.errorAt(`defaultAnalysis.${name}`)}
          />
          {mayEdit(viewer.role) && (
            <button type="submit" disabled={submit.busy}>
              Save
            </button>
          )}
        </fieldset>
      </form>
      <ErrorAlerts errors={submit.general} onReload={reload} />
    </>
  );
}
