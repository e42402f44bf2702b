// What a team does with an A/B test once it runs: pin QA users, declare a winner, roll a variant out.
import { useMutation } from "@apollo/client/react";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { DeclareWinnerDocument, RollOutVariantDocument, SetTestUsersDocument } from "../../../client";
import { ErrorAlerts } from "../components/alerts";
import { HeaderRow } from "../components/list";
import { ConfirmButton } from "../components/dialog";
import { SelectField, TextField } from "../components/fields";
import { useSubmit } from "../submit";
import { mayEdit, useViewer } from "../viewer";
import type { Experience } from "./experience";

type ABTest = Extract<Experience, { __typename: "ABTest" }>;

function VariantRow({
  test,
  variant,
  submit,
}: {
  test: ABTest;
  variant: ABTest["variants"][number];
  submit: ReturnType<typeof useSubmit>;
}) {
  const [winnerOpen, setWinnerOpen] = useState(false);
  const [rollOutOpen, setRollOutOpen] = useState(false);
  const [declareWinner] = useMutation(DeclareWinnerDocument);
  const [rollOut] = useMutation(RollOutVariantDocument);
  const variables = { id: test.id, variantId: variant.id, expectedVersion: test.version };
  const open = test.status !== "STOPPED" || !test.rolledOutVariant;
  return (
    <tr>
      <th scope="row">
        {variant.name}
        {variant.isControl && " (control)"}
        {test.winner?.id === variant.id && <span className="badge">winner</span>}
        {test.rolledOutVariant?.id === variant.id && <span className="badge">rolled out</span>}
      </th>
      <td>{variant.weight}%</td>
      <td>
        {open && (
          <div className="toolbar">
            <ConfirmButton
              label="Declare winner"
              question={`Declare ${variant.name} the winner of ${test.name}? The results keep counting; it is recorded in the history.`}
              open={winnerOpen}
              onOpenChange={setWinnerOpen}
              onConfirm={() =>
                void submit.run(
                  async () => (await declareWinner({ variables })).data!.declareWinner.userErrors,
                )
              }
            />
            <ConfirmButton
              label="Roll out"
              question={`Roll ${variant.name} out to everyone in the segment? The test stops and a product config serves its values.`}
              open={rollOutOpen}
              onOpenChange={setRollOutOpen}
              onConfirm={() =>
                void submit.run(async () => (await rollOut({ variables })).data!.rollOutVariant.userErrors)
              }
            />
          </div>
        )}
      </td>
    </tr>
  );
}

export function VariantActions({ experience }: { experience: ABTest }) {
  const { viewer } = useViewer();
  const submit = useSubmit([]);
  if (!mayEdit(viewer.role) || experience.archived || experience.status === "DRAFT") return null;
  return (
    <section aria-labelledby="variants-heading">
      <h2 id="variants-heading">Variants</h2>
      <ErrorAlerts errors={submit.general} />
      {experience.rolledOutTo && (
        <p>
          Rolled out as{" "}
          <Link to={`/experiences/${experience.rolledOutTo.id}`}>{experience.rolledOutTo.name}</Link>.
        </p>
      )}
      <div className="table-wrap">
        <table>
          <caption>Variants of {experience.name}</caption>
          <HeaderRow headers={["Variant", "Weight", "Actions"]} />
          <tbody>
            {experience.variants.map((variant) => (
              <VariantRow key={variant.id} test={experience} variant={variant} submit={submit} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function TestUsers({ experience }: { experience: ABTest }) {
  const { viewer } = useViewer();
  const [userId, setUserId] = useState("");
  const [variantId, setVariantId] = useState(experience.variants[0]?.id ?? "");
  const submit = useSubmit(["users"]);
  const [setTestUsers] = useMutation(SetTestUsersDocument);
  const editable = mayEdit(viewer.role) && !experience.archived && experience.status !== "STOPPED";
  const current = experience.testUsers.map((user) => ({ userId: user.userId, variantId: user.variant.id }));
  const send = (users: typeof current) =>
    submit.run(
      async () =>
        (await setTestUsers({ variables: { id: experience.id, users, expectedVersion: experience.version } }))
          .data!.setTestUsers.userErrors,
    );
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (
      await send([
        ...current.filter((user) => user.userId !== userId.trim()),
        { userId: userId.trim(), variantId },
      ])
    )
      setUserId("");
  };
  return (
    <section aria-labelledby="test-users-heading">
      <h2 id="test-users-heading">Test users</h2>
      <p className="hint">QA users pinned to a variant; they never count in results.</p>
      {experience.testUsers.length === 0 ? (
        <p>No test users.</p>
      ) : (
        <ul>
          {experience.testUsers.map((user) => (
            <li key={user.userId}>
              {user.userId} sees {user.variant.name}{" "}
              {editable && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void send(current.filter((other) => other.userId !== user.userId))}
                >
                  Unpin {user.userId}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form onSubmit={(event) => void add(event)} noValidate className="inline-form">
          <TextField label="User id" value={userId} onChange={setUserId} error={submit.byField.users} />
          <SelectField
            label="Variant"
            value={variantId}
            onChange={setVariantId}
            options={experience.variants.map((variant) => ({ value: variant.id, label: variant.name }))}
          />
          <button type="submit" disabled={submit.busy || !userId.trim()}>
            Pin user
          </button>
        </form>
      )}
      <ErrorAlerts errors={submit.general} />
    </section>
  );
}
