import {
  ArchiveGoalDocument,
  CreateGoalDocument,
  GetGoalDocument,
  ListGoalsDocument,
  UnarchiveGoalDocument,
  UpdateGoalDocument,
  type CreateGoalInput,
} from "../../client/generated/graphql";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function createGoal(input: CreateGoalInput) {
  return (await app.query(CreateGoalDocument, { input })).createGoal;
}

async function goalCount() {
  return (await app.query(ListGoalsDocument, { filter: { archived: null }, first: 1 })).goals.totalCount;
}

describe("creating goals", () => {
  test("a Purchase goal converts on any of its events; names are trimmed", async () => {
    const { goal, userErrors } = await createGoal({
      name: " Purchase ",
      description: "Bought anything",
      events: ["Charged", " Purchase "],
    });
    expect(userErrors).toEqual([]);
    expect(goal).toMatchObject({
      name: "Purchase",
      events: ["Charged", "Purchase"],
      archived: false,
      usages: [],
    });
    expect((await app.query(GetGoalDocument, { id: goal!.id })).goal).toEqual(goal);
  });

  test.each<[string, string[], string[]]>([
    ["no events", [], ["input", "events"]],
    ["21 events", Array.from({ length: 21 }, (_, i) => `e${i}`), ["input", "events"]],
    ["an empty event name", ["ok", "  "], ["input", "events", "1"]],
    ["an event name of 129 characters", ["e".repeat(129)], ["input", "events", "0"]],
    ["the same event twice", ["Open", "Buy", "Open"], ["input", "events", "2"]],
  ])(
    "a goal with %s is INVALID at the field at fault, and nothing is created",
    async (_what, events, field) => {
      const before = await goalCount();
      const { goal, userErrors } = await createGoal({ name: `bad ${Math.random()}`, events });
      expect(goal).toBeNull();
      expect(userErrors).toEqual([expect.objectContaining({ code: "INVALID", field })]);
      expect(await goalCount()).toBe(before);
    },
  );

  test("20 distinct events of up to 128 characters are accepted; event names are case-sensitive", async () => {
    const events = Array.from({ length: 18 }, (_, i) => `event_${i}`).concat(["Signup", "signup"]);
    expect((await createGoal({ name: "Many events", events })).userErrors).toEqual([]);
    expect((await createGoal({ name: "Long event", events: ["e".repeat(128)] })).userErrors).toEqual([]);
  });

  test("goal names are unique ignoring case (NAME_TAKEN)", async () => {
    const before = await goalCount();
    const { userErrors } = await createGoal({ name: "PURCHASE", events: ["x"] });
    expect(userErrors).toEqual([expect.objectContaining({ code: "NAME_TAKEN", field: ["input", "name"] })]);
    expect(await goalCount()).toBe(before);
  });
});

describe("goal filters and values", () => {
  test("a goal keeps up to 3 filters on its events' properties and a value property; an empty value property clears it", async () => {
    const { goal, userErrors } = await createGoal({
      name: "Big purchase",
      events: ["Charged"],
      where: [
        { property: " amount ", operator: "GREATER_THAN", values: [50] },
        { property: "currency", operator: "IN", values: ["USD", "EUR"] },
      ],
      valueProperty: " amount ",
    });
    expect(userErrors).toEqual([]);
    expect(goal).toMatchObject({
      where: [
        { property: "amount", operator: "GREATER_THAN", values: [50] },
        { property: "currency", operator: "IN", values: ["USD", "EUR"] },
      ],
      valueProperty: "amount",
    });
    const cleared = await app.query(UpdateGoalDocument, {
      input: { id: goal!.id, valueProperty: "", where: [] },
    });
    expect(cleared.updateGoal.goal).toMatchObject({ where: [], valueProperty: null, version: 2 });
  });

  test("more than 3 filters, a bad operand or a blank property is INVALID at its path, and nothing is created", async () => {
    const before = await goalCount();
    const { userErrors } = await createGoal({
      name: "Bad filters",
      events: ["Charged"],
      where: [
        { property: "a", operator: "EXISTS" },
        { property: "b", operator: "BETWEEN", values: [10, 1] },
        { property: "  ", operator: "EQUALS", values: ["x"] },
        { property: "d", operator: "GREATER_THAN", values: ["soon"] },
      ],
    });
    expect(userErrors.map((error) => [error.code, error.field])).toEqual([["INVALID", ["input", "where"]]]);
    const three = await createGoal({
      name: "Bad filters",
      events: ["Charged"],
      where: [
        { property: "b", operator: "BETWEEN", values: [10, 1] },
        { property: "  ", operator: "EQUALS", values: ["x"] },
        { property: "d", operator: "GREATER_THAN", values: ["soon"] },
      ],
      valueProperty: "x".repeat(129),
    });
    expect(three.userErrors.map((error) => [error.code, error.field])).toEqual([
      ["INVALID", ["input", "where", "0", "values", "1"]],
      ["INVALID", ["input", "where", "1", "property"]],
      ["INVALID", ["input", "where", "2", "values", "0"]],
      ["INVALID", ["input", "valueProperty"]],
    ]);
    expect(await goalCount()).toBe(before);
  });
});

describe("editing and archiving goals", () => {
  test("name, description and events can change; null keeps a field", async () => {
    const { goal } = await createGoal({ name: "Signup", description: "First visit", events: ["Signed Up"] });
    const { updateGoal } = await app.query(UpdateGoalDocument, {
      input: { id: goal!.id, events: ["Signed Up", "Registered"] },
    });
    expect(updateGoal.goal).toMatchObject({
      name: "Signup",
      description: "First visit",
      events: ["Signed Up", "Registered"],
    });
  });

  test("bad events on update are INVALID and nothing changes", async () => {
    const { goal } = await createGoal({ name: "Steady", events: ["a"] });
    const { updateGoal } = await app.query(UpdateGoalDocument, {
      input: { id: goal!.id, name: "Renamed", events: [] },
    });
    expect(updateGoal.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "events"] }),
    ]);
    expect((await app.query(GetGoalDocument, { id: goal!.id })).goal).toEqual(goal);
  });

  test("an archived goal is hidden by default, read-only (ARCHIVED), and can be unarchived", async () => {
    const { goal } = await createGoal({ name: "Old goal", events: ["a"] });
    const archived = (await app.query(ArchiveGoalDocument, { id: goal!.id })).archiveGoal.goal!;
    expect(archived.archived).toBe(true);
    const active = (await app.query(ListGoalsDocument, { first: 100 })).goals.nodes.map((g) => g.id);
    const onlyArchived = (await app.query(ListGoalsDocument, { filter: { archived: true }, first: 100 }))
      .goals.nodes;
    expect(active).not.toContain(goal!.id);
    expect(onlyArchived.map((g) => g.id)).toContain(goal!.id);
    expect(onlyArchived.every((g) => g.archived)).toBe(true);

    const { updateGoal } = await app.query(UpdateGoalDocument, { input: { id: goal!.id, events: ["b"] } });
    expect(updateGoal.userErrors).toEqual([expect.objectContaining({ code: "ARCHIVED" })]);
    expect((await app.query(GetGoalDocument, { id: goal!.id })).goal).toEqual(archived);

    expect((await app.query(ArchiveGoalDocument, { id: goal!.id })).archiveGoal.userErrors[0].code).toBe(
      "INVALID_STATE",
    );
    expect((await app.query(UnarchiveGoalDocument, { id: goal!.id })).unarchiveGoal.goal?.archived).toBe(
      false,
    );
    expect((await app.query(UnarchiveGoalDocument, { id: goal!.id })).unarchiveGoal.userErrors[0].code).toBe(
      "INVALID_STATE",
    );
  });

  test("search finds goals by name or description", async () => {
    const found = (await app.query(ListGoalsDocument, { filter: { search: "first VISIT" } })).goals.nodes.map(
      (g) => g.name,
    );
    expect(found).toEqual(["Signup"]);
  });
});
