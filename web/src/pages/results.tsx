// An A/B test's results: a table per goal, the window they cover, a daily chart with the same
// numbers as a table, and the alerts that say when not to trust them.
import { useQuery } from "@apollo/client/react";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import {
  AbTestResultsWithChartDocument,
  type AbTestResultsWithChartQuery,
  type VariantResultFieldsFragment,
} from "../../../client";
import { Loading, RequestError } from "../components/alerts";
import { SelectField, TextField } from "../components/fields";
import { AT_ONCE } from "../components/list";
import type { Experience } from "./experience";

type ABTest = Extract<Experience, { __typename: "ABTest" }>;
type GoalResult = VariantResultFieldsFragment["goals"][number];
type DailyResults = NonNullable<
  Extract<AbTestResultsWithChartQuery["experience"], { __typename: "ABTest" }>["results"]["daily"]
>;

const DAY = 86_400_000;
const WINDOWS = [
  { value: "all", label: "All time" },
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "custom", label: "Custom" },
];

const percent = (x: number | null | undefined, digits = 1) =>
  x == null ? "—" : `${(x * 100).toFixed(digits)}%`;
const signedPercent = (x: number | null | undefined) =>
  x == null ? "—" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
const number = (x: number | null | undefined) =>
  x == null ? "—" : x.toLocaleString(undefined, { maximumSignificantDigits: 4 });
const pValue = (x: number | null | undefined) => (x == null ? "—" : x < 0.001 ? "< 0.001" : x.toFixed(3));

/** The window as the address holds it (reload and back keep it), as the query's from and to. */
export function useWindow() {
  const [params, setParams] = useSearchParams();
  const chosen = params.get("window") ?? "all";
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const set = (changes: Record<string, string>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value) next.set(name, value);
        else next.delete(name);
      }
      return next;
    }, AT_ONCE);
  // Fixed when the window is chosen, so that the query's variables stay the same between renders.
  const range = useMemo(() => {
    // Results are kept per UTC day: the last N days are today and the N - 1 before it.
    if (chosen === "7" || chosen === "30")
      return { from: new Date((Math.floor(Date.now() / DAY) - Number(chosen) + 1) * DAY).toISOString() };
    if (chosen === "custom")
      return {
        from: from ? `${from}T00:00:00.000Z` : undefined,
        to: to ? new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY).toISOString() : undefined,
      };
    return {};
  }, [chosen, from, to]);
  return { window: chosen, from, to, set, range };
}

function intervalOf(result: GoalResult, sequential: boolean, valueGoal: boolean): string {
  const interval = sequential ? result.sequentialInterval : result.differenceInterval;
  if (!interval) return "—";
  const show = (x: number) => (valueGoal ? number(x) : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pp`);
  return `${show(interval.low)} to ${show(interval.high)}`;
}

function GoalTable({
  test,
  goalId,
  variants,
}: {
  test: ABTest;
  goalId: string;
  variants: readonly VariantResultFieldsFragment[];
}) {
  const goal = test.goals.find((candidate) => candidate.id === goalId)!;
  const rows = variants.map((variant) => ({
    variant,
    result: variant.goals.find((result) => result.goal.id === goalId),
  }));
  const valueGoal = rows.some((row) => row.result?.valuePerUser != null);
  return (
    <div className="table-wrap">
      <table>
        <caption>
          {goal.name}
          {goal.id === test.primaryGoal.id && " (primary goal)"}
        </caption>
        <thead>
          <tr>
            {[
              "Variant",
              "Users",
              "Conversions",
              "Rate",
              ...(valueGoal ? ["Value per user"] : []),
              "Uplift",
              "Interval",
              "p-value",
              "Chance to beat control",
            ].map((header) => (
              <th scope="col" key={header}>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ variant, result }) => (
            <tr key={variant.variant.id}>
              <th scope="row">
                {variant.variant.name}
                {variant.variant.isControl && " (control)"}
              </th>
              <td>{variant.users.toLocaleString()}</td>
              <td>{result ? result.conversions.toLocaleString() : "—"}</td>
              <td>{percent(result?.conversionRate, 2)}</td>
              {valueGoal && <td>{number(result?.valuePerUser)}</td>}
              <td>
                {variant.variant.isControl
                  ? "—"
                  : signedPercent(valueGoal ? result?.valueUplift : result?.uplift)}
              </td>
              <td>
                {variant.variant.isControl || !result
                  ? "—"
                  : intervalOf(result, test.analysis.sequential, valueGoal)}
              </td>
              <td>
                {variant.variant.isControl
                  ? "—"
                  : pValue(result?.adjustedPValue ?? (valueGoal ? result?.valuePValue : result?.pValue))}
              </td>
              <td>{variant.variant.isControl ? "—" : percent(result?.chanceToBeatControl)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The primary goal's rate (or value per user) by day and variant: a chart, and its numbers as a table. */
function DailyChart({ test, daily }: { test: ABTest; daily: DailyResults }) {
  const [showTable, setShowTable] = useState(false);
  const chart = useRef<HTMLDivElement>(null);
  const captionId = useId();
  const goalId = test.primaryGoal.id;
  const variants = test.variants;
  const valueGoal = daily.some((day) =>
    day.variants.some((variant) =>
      variant.goals.some((goal) => goal.goal.id === goalId && goal.valuePerUser != null),
    ),
  );
  const series = useMemo(() => {
    const measure = (variant: DailyResults[number]["variants"][number] | undefined) => {
      const result = variant?.goals.find((goal) => goal.goal.id === goalId);
      return (valueGoal ? result?.valuePerUser : result?.conversionRate) ?? null;
    };
    return variants.map((variant) =>
      daily.map((day) => measure(day.variants.find((result) => result.variant.id === variant.id))),
    );
  }, [daily, variants, goalId, valueGoal]);
  useEffect(() => {
    const element = chart.current;
    if (!element || daily.length === 0) return;
    let plot: { destroy(): void } | undefined;
    let cancelled = false;
    void Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([{ default: UPlot }]) => {
      if (cancelled) return;
      const colours = [
        "#1f5fbf",
        "#b34700",
        "#2e7d32",
        "#7b1fa2",
        "#00838f",
        "#6d4c41",
        "#c2185b",
        "#455a64",
        "#827717",
        "#283593",
      ];
      const days = daily.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000);
      const pad = days.length === 1 ? DAY / 1000 : 0;
      plot = new UPlot(
        {
          width: Math.max(280, Math.min(element.clientWidth || 640, 900)),
          height: 240,
          // A test's first day alone would otherwise be spread over years: show a day either side.
          // A fixed span: a test's first day alone would otherwise be spread over years.
          scales: { x: { time: true, auto: false, range: [days[0] - pad, days[days.length - 1] + pad] } },
          series: [
            {},
            ...variants.map((variant, index) => ({
              label: variant.name,
              stroke: colours[index % colours.length],
              width: 2,
            })),
          ],
          axes: [
            {},
            {
              size: 64,
              values: (_: unknown, ticks: number[]) =>
                ticks.map((tick) => (valueGoal ? number(tick) : percent(tick))),
            },
          ],
        },
        [days, ...series] as never,
        element,
      );
    });
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [daily, series, variants, valueGoal]);
  return (
    <figure aria-labelledby={captionId}>
      <figcaption id={captionId}>Daily results</figcaption>
      <p className="hint">
        {test.primaryGoal.name}: {valueGoal ? "value per user" : "conversion rate"} at the end of each UTC
        day.
      </p>
      {daily.length === 0 ? <p>No days yet.</p> : <div ref={chart} aria-hidden="true" className="chart" />}
      <button
        type="button"
        className="secondary"
        aria-expanded={showTable}
        onClick={() => setShowTable(!showTable)}
      >
        {showTable ? "Hide the numbers" : "Show the numbers as a table"}
      </button>
      {showTable && (
        <div className="table-wrap">
          <table>
            <caption>Daily results: {test.primaryGoal.name}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                {variants.map((variant) => (
                  <th scope="col" key={variant.id}>
                    {variant.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {daily.map((day, row) => (
                <tr key={day.date}>
                  <th scope="row">{day.date}</th>
                  {variants.map((variant, column) => (
                    <td key={variant.id}>
                      {valueGoal ? number(series[column][row]) : percent(series[column][row], 2)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </figure>
  );
}

/**
 * An A/B test's results, asked for by the experience page as it opens (in parallel with the test
 * itself, and not kept in Apollo's cache: they change with every event, and 90 days of figures are
 * slow to normalize for nothing).
 */
export function useResults(id: string) {
  const span = useWindow();
  const query = useQuery(AbTestResultsWithChartDocument, {
    variables: { id, ...span.range },
    fetchPolicy: "no-cache",
  });
  return { span, ...query };
}

/** The chart's library, fetched while the page's data is on its way rather than after. */
export const preloadChart = () => void import("uplot");

export function Results({ experience, asked }: { experience: ABTest; asked: ReturnType<typeof useResults> }) {
  const { span, data, error, loading } = asked;
  const results = data?.experience?.__typename === "ABTest" ? data.experience.results : null;
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading">Results</h2>
      <div className="filters">
        <SelectField
          label="Window"
          value={span.window}
          onChange={(value) => span.set({ window: value === "all" ? "" : value })}
          options={WINDOWS}
        />
        {span.window === "custom" && (
          <>
            <TextField label="From" type="date" value={span.from} onChange={(from) => span.set({ from })} />
            <TextField label="To" type="date" value={span.to} onChange={(to) => span.set({ to })} />
          </>
        )}
      </div>
      {error && <RequestError error={error} />}
      {loading && !results && <Loading what="the results" />}
      {results && (
        <>
          {results.sampleRatioMismatchPValue != null && results.sampleRatioMismatchPValue < 0.001 && (
            <div role="alert" className="alert">
              <p>
                Sample ratio mismatch: users are not split as the weights say (p ={" "}
                {pValue(results.sampleRatioMismatchPValue)}). Something assigns or counts users unevenly; do
                not trust these results until it is found.
              </p>
            </div>
          )}
          {experience.goals.map((goal) => (
            <GoalTable key={goal.id} test={experience} goalId={goal.id} variants={results.variants} />
          ))}
          <p className="hint">
            Interval:{" "}
            {experience.analysis.sequential ? "always valid (may be watched daily)" : "fixed horizon"},{" "}
            {Math.round(experience.analysis.confidenceLevel * 100)}% confidence, of the difference from
            control. p-values{" "}
            {experience.analysis.correction === "NONE"
              ? "uncorrected"
              : `corrected (${experience.analysis.correction.replace("_", "–").toLowerCase()})`}
            .
          </p>
          {results.daily && <DailyChart test={experience} daily={results.daily} />}
        </>
      )}
    </section>
  );
}
