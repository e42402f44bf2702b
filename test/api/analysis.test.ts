import {
  AbTestResultsDocument,
  ArchiveGoalDocument,
  CreateGoalDocument,
  CreateWebhookDocument,
  EvaluateDocument,
  GetSettingsDocument,
  StartExperienceDocument,
  TrackEventsDocument,
  UpdateAbTestDocument,
  UpdateSettingsDocument,
  WebhookDeliveriesDocument,
  type EventInput,
} from "../../client/generated/graphql";
import { Experience } from "../../src/experiences/experience.entity";
import { DAY, TestClock } from "../helpers/clock";
import { CONCURRENT_WRITES } from "../helpers/database";
import { fixtures, unique } from "../helpers/fixtures";
import { referenceWelchPValue } from "../helpers/reference-statistics";
import { startTestApp, type TestApp } from "../helpers/servers";

/*
 * Results a team can watch every day (RULES.md "Analysis", "Guardrails"), through the API: the
 * project's default analysis and each test's own; every figure against a hand count of the events
 * sent, computed here from each user's values (not from sums, as the server does); CUPED with
 * pre-period events that arrive late; Holm across the test's comparisons; guardrails that record a
 * breach once and pause the test.
 */

const START = Date.UTC(2026, 10, 10, 9, 0, 0);
/** Φ⁻¹(0.975), by scipy.stats.norm.ppf. */
const Z95 = 1.959963984540054;

let app: TestApp;
const clock = new TestClock(START);
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

const DEFAULTS = {
  confidenceLevel: 0.95,
  sequential: true,
  sequentialTuning: 5000,
  cuped: true,
  cupedPreDays: 14,
  correction: "HOLM",
};

const ANALYSIS = "analysis { confidenceLevel sequential sequentialTuning cuped cupedPreDays correction }";

async function goal(
  token: string,
  input: { name?: string; events: string[]; valueProperty?: string; higherIsBetter?: boolean },
) {
  const { createGoal } = await app.query(
    CreateGoalDocument,
    { input: { name: unique("goal"), ...input } },
    token,
  );
  if (createGoal.userErrors.length) throw new Error(JSON.stringify(createGoal.userErrors));
  return createGoal.goal!.id;
}

describe("analysis settings", () => {
  test("a project starts with RULES.md's defaults; updateSettings changes only the fields given, each in its range", async () => {
    const token = await app.newProject();
    expect((await app.query(GetSettingsDocument, {}, token)).settings.defaultAnalysis).toEqual(DEFAULTS);
    const { updateSettings } = await app.query(
      UpdateSettingsDocument,
      { input: { defaultAnalysis: { confidenceLevel: 0.9, correction: "BENJAMINI_HOCHBERG" } } },
      token,
    );
    expect(updateSettings.settings!.defaultAnalysis).toEqual({
      ...DEFAULTS,
      confidenceLevel: 0.9,
      correction: "BENJAMINI_HOCHBERG",
    });
    for (const [field, value] of [
      ["confidenceLevel", 0.5],
      ["confidenceLevel", 1],
      ["sequentialTuning", 99],
      ["sequentialTuning", 10_000_001],
      ["cupedPreDays", 0],
      ["cupedPreDays", 61],
    ] as const) {
      const refused = await app.query(
        UpdateSettingsDocument,
        { input: { defaultAnalysis: { [field]: value } } },
        token,
      );
      expect(refused.updateSettings.userErrors).toEqual([
        expect.objectContaining({ code: "INVALID", field: ["input", "defaultAnalysis", field] }),
      ]);
    }
    expect((await app.query(GetSettingsDocument, {}, token)).settings.defaultAnalysis.confidenceLevel).toBe(
      0.9,
    );
  });

  test("a test takes the project's default at creation for what its input leaves out, and keeps it when the default changes", async () => {
    const token = await app.newProject();
    await app.query(UpdateSettingsDocument, { input: { defaultAnalysis: { cupedPreDays: 7 } } }, token);
    const make = fixtures(app, token);
    const test = await make.abTest({
      goalIds: [await make.goal()],
      analysis: { sequential: false },
    });
    const read = async () =>
      (
        await app.query<{ experience: { analysis: unknown } }, object>(
          `query ($id: ID!) { experience(id: $id) { ... on ABTest { ${ANALYSIS} } } }`,
          { id: test.id },
          token,
        )
      ).experience.analysis;
    expect(await read()).toEqual({ ...DEFAULTS, cupedPreDays: 7, sequential: false });
    await app.query(UpdateSettingsDocument, { input: { defaultAnalysis: { cupedPreDays: 30 } } }, token);
    expect(await read()).toEqual({ ...DEFAULTS, cupedPreDays: 7, sequential: false });
    const refused = await app.query(
      UpdateAbTestDocument,
      { input: { id: test.id, analysis: { sequentialTuning: 5 } } },
      token,
    );
    expect(refused.updateABTest.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "analysis", "sequentialTuning"] }),
    ]);
  });

  test("a goal reads up by default; higherIsBetter false marks a rise as harm, and may change at any time", async () => {
    const token = await app.newProject();
    const up = await goal(token, { events: ["Purchase"] });
    const down = await goal(token, { events: ["Crash"], higherIsBetter: false });
    const directions = await app.query<
      { goals: { nodes: { id: string; higherIsBetter: boolean }[] } },
      object
    >("{ goals { nodes { id higherIsBetter } } }", {}, token);
    expect(new Map(directions.goals.nodes.map((g) => [g.id, g.higherIsBetter]))).toEqual(
      new Map([
        [up, true],
        [down, false],
      ]),
    );
    const flipped = await app.query<{ updateGoal: { goal: { higherIsBetter: boolean } } }, object>(
      "mutation ($id: ID!) { updateGoal(input: { id: $id, higherIsBetter: true }) { goal { higherIsBetter } } }",
      { id: down },
      token,
    );
    expect(flipped.updateGoal.goal.higherIsBetter).toBe(true);
  });
});

describe("guardrail goals", () => {
  test("at most 5, each known and active; a guardrail is a usage, so its goal cannot be archived while the test is live", async () => {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const main = await make.goal();
    const six = [];
    for (let i = 0; i < 6; i++) six.push(await goal(token, { events: [`guard-${i}`] }));
    const tooMany = await app.execute(
      `mutation ($input: CreateABTestInput!) { createABTest(input: $input) { experience { id } userErrors { code field } } }`,
      {
        input: {
          name: unique("test"),
          goalIds: [main],
          primaryGoalId: main,
          guardrailGoalIds: six,
          variants: [
            { name: "control", weight: 50, isControl: true },
            { name: "b", weight: 50 },
          ],
        },
      },
      token,
    );
    expect((tooMany.data as { createABTest: { userErrors: unknown[] } }).createABTest.userErrors).toEqual([
      { code: "INVALID", field: ["input", "guardrailGoalIds"] },
    ]);
    const test = await make.abTest({ goalIds: [main], guardrailGoalIds: [six[0], main] });
    const shown = await app.query<
      { experience: { guardrailGoals: { id: string }[]; guardrailAction: string } },
      object
    >(
      "query ($id: ID!) { experience(id: $id) { ... on ABTest { guardrailGoals { id } guardrailAction } } }",
      { id: test.id },
      token,
    );
    expect(shown.experience).toEqual({
      guardrailGoals: [{ id: six[0] }, { id: main }],
      guardrailAction: "NOTIFY",
    });
    await app.query(StartExperienceDocument, { id: test.id }, token);
    const archive = await app.query(ArchiveGoalDocument, { id: six[0] }, token);
    expect(archive.archiveGoal.userErrors).toEqual([expect.objectContaining({ code: "IN_USE" })]);
    const unknown = await app.query(
      UpdateAbTestDocument,
      { input: { id: test.id, guardrailGoalIds: ["01900000-0000-7000-8000-000000000000"] } },
      token,
    );
    expect(unknown.updateABTest.userErrors).toEqual([
      expect.objectContaining({ code: "NOT_FOUND", field: ["input", "guardrailGoalIds", "0"] }),
    ]);
  });
});

/** One user as the hand count knows them: their variant and, per goal, X and Y. */
interface HandUser {
  variant: string;
  revenue: { x: number; y: number };
  signup: { x: number; y: number };
}

const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const varianceOf = (values: number[]) => {
  const m = meanOf(values);
  return values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1);
};
const covarianceOf = (xs: number[], ys: number[]) => {
  const mx = meanOf(xs);
  const my = meanOf(ys);
  return xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0) / (xs.length - 1);
};

describe("results against a hand count of the events sent", () => {
  test("means, fixed and always-valid intervals, Holm's adjusted p-values, and CUPED with pre-period events that arrive late", async () => {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const revenueGoal = await goal(token, { name: "Revenue", events: ["Charged"], valueProperty: "amount" });
    const signupGoal = await goal(token, { name: "Signup", events: ["Signed Up"] });
    const test = await make.abTest({
      goalIds: [revenueGoal, signupGoal],
      variants: [
        { name: "control", weight: 50, isControl: true },
        { name: "b", weight: 25 },
        { name: "c", weight: 25 },
      ],
    });
    await app.query(StartExperienceDocument, { id: test.id }, token);

    // A seeded week: each user has a history before the test (X), is placed, and acts in it (Y).
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const users = Array.from({ length: 150 }, (_, i) => `analysis-user-${i}`);
    const history = (userId: string, from: number): EventInput[] => {
      const events: EventInput[] = [];
      for (let k = 0; k < 3; k++) {
        // Some before the 14-day pre-period (they count in neither X nor Y).
        const at = from - Math.floor(next() * 20 * DAY);
        events.push({
          userId,
          name: "Charged",
          timestamp: new Date(at).toISOString(),
          properties: { amount: Math.round(next() * 10000) / 100 },
        });
      }
      if (next() < 0.4)
        events.push({
          userId,
          name: "Signed Up",
          timestamp: new Date(from - Math.floor(next() * 10 * DAY)).toISOString(),
        });
      return events;
    };
    const assigned = new Map<string, { variant: string; at: number }>();
    const sent: { userId: string; name: string; at: number; amount: number | null }[] = [];
    const send = async (events: EventInput[]) => {
      const { trackEvents } = await app.query(TrackEventsDocument, { events }, token);
      expect(trackEvents.userErrors).toEqual([]);
      for (const event of events)
        sent.push({
          userId: event.userId,
          name: event.name,
          at: Date.parse(event.timestamp as string),
          amount: (event.properties as { amount?: number } | undefined)?.amount ?? null,
        });
    };
    for (const [i, userId] of users.entries()) {
      clock.advance(Math.floor(next() * 2 * 3_600_000));
      // Half the users' history arrives before their placement, half late (after it, dated before it).
      const past = history(userId, clock.now());
      if (i % 2 === 0) await send(past);
      const { evaluate } = await app.query(EvaluateDocument, { user: { id: userId } }, token);
      const variant = evaluate.assignments.find((a) => a.abTestId === test.id)!.variant;
      assigned.set(userId, { variant, at: clock.now() });
      if (i % 2 === 1) await send(past);
    }
    clock.advance(DAY);
    const inTest: EventInput[] = [];
    for (const userId of users) {
      const lift = assigned.get(userId)!.variant === "b" ? 8 : 0;
      if (next() < 0.6)
        inTest.push({
          userId,
          name: "Charged",
          timestamp: new Date(clock.now() - Math.floor((next() * DAY) / 2)).toISOString(),
          properties: { amount: Math.round((next() * 40 + lift) * 100) / 100 },
        });
      if (next() < 0.3 + (lift ? 0.2 : 0))
        inTest.push({ userId, name: "Signed Up", timestamp: new Date(clock.now()).toISOString() });
    }
    await send(inTest);

    // The hand count, from the events sent and the rules alone.
    const hand = new Map<string, HandUser[]>();
    for (const [userId, { variant, at }] of assigned) {
      const mine = sent.filter((event) => event.userId === userId);
      const inPre = (event: { at: number }) => event.at >= at - 14 * DAY && event.at < at;
      const sum = (events: typeof mine) => events.reduce((total, event) => total + (event.amount ?? 0), 0);
      const charged = mine.filter((event) => event.name === "Charged");
      const signedUp = mine.filter((event) => event.name === "Signed Up");
      const user: HandUser = {
        variant,
        revenue: { x: sum(charged.filter(inPre)), y: sum(charged.filter((event) => event.at >= at)) },
        signup: { x: signedUp.some(inPre) ? 1 : 0, y: signedUp.some((event) => event.at >= at) ? 1 : 0 },
      };
      hand.set(variant, [...(hand.get(variant) ?? []), user]);
    }

    const { experience } = await app.query(AbTestResultsDocument, { id: test.id }, token);
    if (experience?.__typename !== "ABTest") throw new Error("not a test");
    const results = experience.results.variants as unknown as {
      variant: { name: string; isControl: boolean };
      users: number;
      goals: Record<string, unknown> &
        {
          pValue: number | null;
          valuePValue: number | null;
          adjustedPValue: number | null;
          mean: number;
          differenceInterval: { low: number; high: number } | null;
          sequentialInterval: { low: number; high: number } | null;
          cupedDifferenceInterval: { low: number; high: number } | null;
          cupedPValue: number | null;
          varianceReduction: number | null;
        }[];
    }[];
    const all = [...hand.values()].flat();
    const control = hand.get("control")!;
    const rawPValues: number[] = [];
    for (const [g, which] of (["revenue", "signup"] as const).entries()) {
      // CUPED's θ and X̄ over every counted user of the test.
      const xs = all.map((user) => user[which].x);
      const ys = all.map((user) => user[which].y);
      const theta = varianceOf(xs) > 0 ? covarianceOf(xs, ys) / varianceOf(xs) : 0;
      const meanX = meanOf(xs);
      const adjusted = (group: HandUser[]) =>
        group.map((user) => user[which].y - theta * (user[which].x - meanX));
      const reduction = 1 - varianceOf(adjusted(all)) / varianceOf(ys);
      for (const result of results) {
        const group = hand.get(result.variant.name)!;
        expect(result.users).toBe(group.length);
        const served = result.goals[g];
        const y = group.map((user) => user[which].y);
        expect(served.mean).toBeCloseTo(meanOf(y), 9);
        expect(served.varianceReduction).toBeCloseTo(reduction, 9);
        if (result.variant.isControl) {
          expect([served.differenceInterval, served.sequentialInterval, served.adjustedPValue]).toEqual([
            null,
            null,
            null,
          ]);
          continue;
        }
        const c = control.map((user) => user[which].y);
        const d = meanOf(y) - meanOf(c);
        const v = varianceOf(y) / y.length + varianceOf(c) / c.length;
        expect(served.differenceInterval!.low).toBeCloseTo(d - Z95 * Math.sqrt(v), 9);
        expect(served.differenceInterval!.high).toBeCloseTo(d + Z95 * Math.sqrt(v), 9);
        const n = y.length + c.length;
        const rho2 = (-2 * Math.log(0.05) + Math.log(-2 * Math.log(0.05) + 1)) / 5000;
        const half =
          Math.sqrt(v * n) *
          Math.sqrt(((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / 0.05));
        expect(served.sequentialInterval!.low).toBeCloseTo(d - half, 9);
        expect(served.sequentialInterval!.high).toBeCloseTo(d + half, 9);
        const [ay, ac] = [adjusted(group), adjusted(control)];
        const ad = meanOf(ay) - meanOf(ac);
        const av = varianceOf(ay) / ay.length + varianceOf(ac) / ac.length;
        expect(served.cupedDifferenceInterval!.low).toBeCloseTo(ad - Z95 * Math.sqrt(av), 9);
        expect(served.cupedDifferenceInterval!.high).toBeCloseTo(ad + Z95 * Math.sqrt(av), 9);
        expect(served.cupedPValue).toBeCloseTo(referenceWelchPValue(ac, ay), 6);
        rawPValues.push(which === "revenue" ? served.valuePValue! : served.pValue!);
      }
    }
    // The history really had pre-period data, some of it late: X moved Y's variance.
    expect(results[0].goals[0].varianceReduction).toBeGreaterThan(0);
    // Holm across the four (variant, goal) comparisons, in the order results list them.
    const order = rawPValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
    const holm = new Array<number>(rawPValues.length);
    let running = 0;
    order.forEach(
      ({ p, i }, k) => (holm[i] = running = Math.max(running, Math.min(1, (rawPValues.length - k) * p))),
    );
    const served = results
      .filter((r) => !r.variant.isControl)
      .flatMap((r) => r.goals.map((goalResult) => goalResult.adjustedPValue));
    const byGoalThenVariant = [served[0], served[2], served[1], served[3]];
    byGoalThenVariant.forEach((p, i) => expect(p).toBeCloseTo(holm[i], 12));
  });
});

describe("guardrails", () => {
  /** A running test whose variant b crashes: a guardrail on crashes (a rise is harm). */
  async function crashingTest(action: "NOTIFY" | "PAUSE") {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const purchase = await make.goal();
    const crashes = await goal(token, { name: "Crashes", events: ["Crash"], higherIsBetter: false });
    const test = await make.abTest({
      goalIds: [purchase],
      guardrailGoalIds: [crashes],
      guardrailAction: action,
    });
    await app.query(StartExperienceDocument, { id: test.id }, token);
    const users = Array.from({ length: 400 }, (_, i) => `guard-${action}-${i}`);
    const variants = new Map<string, string>();
    for (const id of users) {
      const { evaluate } = await app.query(EvaluateDocument, { user: { id } }, token);
      variants.set(id, evaluate.assignments[0].variant);
    }
    clock.advance(60_000);
    await app.query(
      TrackEventsDocument,
      {
        events: users
          .filter((id) => variants.get(id) !== "control")
          .map((userId) => ({ userId, name: "Crash" })),
      },
      token,
    );
    return { token, test, crashes };
  }
  const state = (token: string, id: string) =>
    app.query<
      {
        experience: {
          status: string;
          version: number;
          guardrailBreach: {
            goal: { id: string };
            variant: { name: string };
            at: string;
            interval: { low: number; high: number };
          } | null;
        };
      },
      object
    >(
      "query ($id: ID!) { experience(id: $id) { status version ... on ABTest { guardrailBreach { goal { id } variant { name } at interval { low high } } } } }",
      { id },
      token,
    );

  test("PAUSE: a results read finds the harm, records it once (actor guardrail) and pauses the test in the same version; starting again clears it", async () => {
    const { token, test, crashes } = await crashingTest("PAUSE");
    const { createWebhook } = await app.query(
      CreateWebhookDocument,
      {
        input: {
          url: "http://93.184.215.14/hooks",
          events: ["ab_test.guardrail_breached", "experience.paused"],
        },
      },
      token,
    );
    await app.query(AbTestResultsDocument, { id: test.id }, token);
    const after = (await state(token, test.id)).experience;
    expect(after.status).toBe("PAUSED");
    expect(after.guardrailBreach).toMatchObject({ goal: { id: crashes }, variant: { name: "treatment" } });
    expect(after.guardrailBreach!.interval.low).toBeGreaterThan(0);
    // Read again, and by the scheduler: nothing more is recorded.
    await app.query(AbTestResultsDocument, { id: test.id }, token);
    expect(await app.services.guardrails.checkAll()).toBe(0);
    expect((await state(token, test.id)).experience.version).toBe(after.version);
    const log = await app.query<{ auditLog: { nodes: { actor: string; action: string }[] } }, object>(
      "query ($id: ID!) { auditLog(entityId: $id) { nodes { actor action } } }",
      { id: test.id },
      token,
    );
    expect(log.auditLog.nodes.filter((entry) => entry.actor === "guardrail")).toEqual([
      { actor: "guardrail", action: "guardrailBreachExperience" },
    ]);
    // Webhooks are told once: the breach, and the pause it made (RULES.md "Webhooks").
    const { webhooks } = await app.query(WebhookDeliveriesDocument, {}, token);
    const told = webhooks.find((hook) => hook.id === createWebhook.webhook!.id)!.deliveries.nodes;
    expect(
      told.map((delivery) => [delivery.type, (delivery.payload as { data: { actor: string } }).data.actor]),
    ).toEqual([
      ["experience.paused", "guardrail"],
      ["ab_test.guardrail_breached", "guardrail"],
    ]);
    await app.query(StartExperienceDocument, { id: test.id }, token);
    expect((await state(token, test.id)).experience).toMatchObject({
      status: "RUNNING",
      guardrailBreach: null,
    });
  });

  test(`NOTIFY: the check records the breach and the test runs on; checks at once record it once (${CONCURRENT_WRITES})`, async () => {
    const { token, test } = await crashingTest("NOTIFY");
    const row = await app.services.db.reader.findOneByOrFail(Experience, { id: test.id });
    const recorded = await Promise.all(Array.from({ length: 5 }, () => app.services.guardrails.check(row)));
    expect(recorded.filter(Boolean)).toHaveLength(1);
    const after = (await state(token, test.id)).experience;
    expect(after).toMatchObject({ status: "RUNNING", guardrailBreach: { variant: { name: "treatment" } } });
  });

  test("no harm, no breach: a guardrail whose rise is good is not breached by a rise", async () => {
    const token = await app.newProject();
    const make = fixtures(app, token);
    const purchase = await make.goal(["Purchase"]);
    const test = await make.abTest({
      goalIds: [purchase],
      guardrailGoalIds: [purchase],
      guardrailAction: "PAUSE",
    } as never);
    await app.query(StartExperienceDocument, { id: test.id }, token);
    const users = Array.from({ length: 300 }, (_, i) => `good-${i}`);
    const treated: string[] = [];
    for (const id of users) {
      const { evaluate } = await app.query(EvaluateDocument, { user: { id } }, token);
      if (evaluate.assignments[0].variant !== "control") treated.push(id);
    }
    clock.advance(60_000);
    await app.query(
      TrackEventsDocument,
      { events: treated.map((userId) => ({ userId, name: "Purchase" })) },
      token,
    );
    await app.query(AbTestResultsDocument, { id: test.id }, token);
    expect((await state(token, test.id)).experience).toMatchObject({
      status: "RUNNING",
      guardrailBreach: null,
    });
  });
});
