import {
  ArchiveSegmentDocument,
  AuditLogDocument,
  CloneSegmentDocument,
  CreateSegmentDocument,
  GetSegmentDocument,
  ListSegmentsDocument,
  UnarchiveSegmentDocument,
  UpdateSegmentDocument,
  type CreateSegmentInput,
  type SegmentRuleInput,
} from "../../client/generated/graphql";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const nycIphoneRule: SegmentRuleInput = {
  match: "ALL",
  conditions: [
    { property: { property: "device", operator: "EQUALS", values: ["iPhone"] } },
    { property: { property: "city", operator: "EQUALS", values: ["New York"] } },
  ],
};

async function createSegment(input: CreateSegmentInput) {
  return (await app.query(CreateSegmentDocument, { input })).createSegment;
}

async function segmentById(id: string) {
  return (await app.query(GetSegmentDocument, { id })).segment;
}

async function segmentCount() {
  return (await app.query(ListSegmentsDocument, { filter: { archived: null }, first: 1 })).segments
    .totalCount;
}

describe("cloning a segment: an independent copy of its rule", () => {
  test("cloning copies the rule under '<name> (copy)'; editing the copy's city to Miami leaves the original as it was", async () => {
    const { segment: original } = await createSegment({
      name: "iPhone users in New York",
      description: "Target NYC iPhone owners",
      rule: nycIphoneRule,
    });
    const { cloneSegment } = await app.query(CloneSegmentDocument, { id: original!.id });
    expect(cloneSegment.userErrors).toEqual([]);
    const copy = cloneSegment.segment!;
    expect(copy).toMatchObject({
      name: "iPhone users in New York (copy)",
      description: "Target NYC iPhone owners",
      rule: original!.rule,
      archived: false,
      clonedFrom: { id: original!.id, name: "iPhone users in New York" },
    });
    expect(copy.id).not.toBe(original!.id);

    const miamiRule: SegmentRuleInput = {
      match: "ALL",
      conditions: [
        { property: { property: "device", operator: "EQUALS", values: ["iPhone"] } },
        { property: { property: "city", operator: "EQUALS", values: ["Miami"] } },
      ],
    };
    const { updateSegment } = await app.query(UpdateSegmentDocument, {
      input: { id: copy.id, name: "iPhone users in Miami", rule: miamiRule },
    });
    expect(updateSegment.userErrors).toEqual([]);
    expect(updateSegment.segment?.rule.conditions[1]).toMatchObject({ property: "city", values: ["Miami"] });

    expect(await segmentById(original!.id)).toEqual(original);
  });

  test("editing the original does not touch its clone either", async () => {
    const { segment: original } = await createSegment({ name: "Android in Paris", rule: nycIphoneRule });
    const copy = (await app.query(CloneSegmentDocument, { id: original!.id })).cloneSegment.segment!;
    await app.query(UpdateSegmentDocument, {
      input: {
        id: original!.id,
        rule: { match: "ANY", conditions: [{ property: { property: "os", operator: "EXISTS" } }] },
      },
    });
    expect((await segmentById(copy.id))?.rule).toEqual(copy.rule);
  });

  test("further clones are named '(copy 2)', '(copy 3)', ...", async () => {
    const { segment } = await createSegment({ name: "Loyal users", rule: nycIphoneRule });
    const names = [];
    for (let i = 0; i < 3; i++)
      names.push((await app.query(CloneSegmentDocument, { id: segment!.id })).cloneSegment.segment?.name);
    expect(names).toEqual(["Loyal users (copy)", "Loyal users (copy 2)", "Loyal users (copy 3)"]);
  });

  test("a clone can be given its own name, which must be free", async () => {
    const { segment } = await createSegment({ name: "Big spenders", rule: nycIphoneRule });
    const named = await app.query(CloneSegmentDocument, { id: segment!.id, name: "  Big spenders EU " });
    expect(named.cloneSegment.segment?.name).toBe("Big spenders EU");
    const before = await segmentCount();
    const taken = await app.query(CloneSegmentDocument, { id: segment!.id, name: "big SPENDERS eu" });
    expect(taken.cloneSegment.userErrors).toEqual([
      expect.objectContaining({ code: "NAME_TAKEN", field: ["name"] }),
    ]);
    expect(await segmentCount()).toBe(before);
  });

  test("an archived segment can be cloned; the clone is active", async () => {
    const { segment } = await createSegment({ name: "Old campaign", rule: nycIphoneRule });
    await app.query(ArchiveSegmentDocument, { id: segment!.id });
    const { cloneSegment } = await app.query(CloneSegmentDocument, { id: segment!.id });
    expect(cloneSegment.segment).toMatchObject({ name: "Old campaign (copy)", archived: false });
  });

  test("cloning an unknown segment is NOT_FOUND", async () => {
    const { cloneSegment } = await app.query(CloneSegmentDocument, {
      id: "01900000-0000-7000-8000-000000000000",
    });
    expect(cloneSegment.userErrors).toEqual([expect.objectContaining({ code: "NOT_FOUND", field: ["id"] })]);
  });
});

describe("segment names", () => {
  test("names are trimmed and unique ignoring case (NAME_TAKEN), and nothing is created", async () => {
    expect((await createSegment({ name: "  Power users  ", rule: nycIphoneRule })).segment?.name).toBe(
      "Power users",
    );
    const before = await segmentCount();
    const { userErrors } = await createSegment({ name: "POWER USERS", rule: nycIphoneRule });
    expect(userErrors).toEqual([expect.objectContaining({ code: "NAME_TAKEN", field: ["input", "name"] })]);
    expect(await segmentCount()).toBe(before);
  });

  test("an empty name is INVALID", async () => {
    const { userErrors } = await createSegment({ name: "  ", rule: nycIphoneRule });
    expect(userErrors).toEqual([expect.objectContaining({ code: "INVALID", field: ["input", "name"] })]);
  });

  test("renaming onto another segment's name is NAME_TAKEN and nothing changes", async () => {
    const { segment } = await createSegment({ name: "Rename me", rule: nycIphoneRule });
    const { updateSegment } = await app.query(UpdateSegmentDocument, {
      input: { id: segment!.id, name: "power users", description: "changed" },
    });
    expect(updateSegment.userErrors).toEqual([expect.objectContaining({ code: "NAME_TAKEN" })]);
    expect(await segmentById(segment!.id)).toEqual(segment);
  });

  test("a segment may be renamed to a different case of its own name", async () => {
    const { segment } = await createSegment({ name: "case change", rule: nycIphoneRule });
    const { updateSegment } = await app.query(UpdateSegmentDocument, {
      input: { id: segment!.id, name: "Case Change" },
    });
    expect(updateSegment.segment?.name).toBe("Case Change");
  });
});

describe("segment rules", () => {
  test("event conditions keep occurrence, window, count and property filters; groups nest", async () => {
    const rule: SegmentRuleInput = {
      match: "ANY",
      conditions: [
        {
          event: {
            occurrence: "DID",
            event: "Purchase",
            withinDays: 30,
            minCount: 2,
            where: [{ property: "amount", operator: "GREATER_THAN", values: [50] }],
          },
        },
      ],
      groups: [
        {
          match: "ALL",
          conditions: [
            { event: { occurrence: "DID_NOT", event: "App Uninstalled" } },
            {
              property: {
                property: "signup",
                operator: "BETWEEN",
                values: ["2024-01-01", "2024-12-31T23:59:59Z"],
              },
            },
          ],
        },
      ],
    };
    const { segment, userErrors } = await createSegment({ name: "Buyers", rule });
    expect(userErrors).toEqual([]);
    expect(segment?.rule).toEqual({
      match: "ANY",
      conditions: [
        {
          __typename: "EventCondition",
          occurrence: "DID",
          event: "Purchase",
          withinDays: 30,
          minCount: 2,
          where: [{ property: "amount", operator: "GREATER_THAN", values: [50] }],
        },
      ],
      groups: [
        {
          match: "ALL",
          conditions: [
            {
              __typename: "EventCondition",
              occurrence: "DID_NOT",
              event: "App Uninstalled",
              withinDays: null,
              minCount: null,
              where: [],
            },
            {
              __typename: "PropertyCondition",
              property: "signup",
              operator: "BETWEEN",
              values: ["2024-01-01", "2024-12-31T23:59:59Z"],
            },
          ],
          groups: [],
        },
      ],
    });
  });

  test.each<[string, SegmentRuleInput, string[]]>([
    ["an empty rule", { match: "ALL" }, ["input", "rule"]],
    ["an empty nested group", { match: "ALL", groups: [{ match: "ANY" }] }, ["input", "rule", "groups", "0"]],
    [
      "a condition with both event and property",
      {
        match: "ALL",
        conditions: [
          { event: { occurrence: "DID", event: "Open" }, property: { property: "city", operator: "EXISTS" } },
        ],
      },
      ["input", "rule", "conditions", "0"],
    ],
    [
      "a condition with neither event nor property",
      { match: "ALL", conditions: [{}] },
      ["input", "rule", "conditions", "0"],
    ],
    [
      "EQUALS with two values",
      {
        match: "ALL",
        conditions: [{ property: { property: "city", operator: "EQUALS", values: ["a", "b"] } }],
      },
      ["input", "rule", "conditions", "0", "property", "values"],
    ],
    [
      "EXISTS with a value",
      { match: "ALL", conditions: [{ property: { property: "city", operator: "EXISTS", values: ["x"] } }] },
      ["input", "rule", "conditions", "0", "property", "values"],
    ],
    [
      "GREATER_THAN with a word",
      {
        match: "ALL",
        conditions: [{ property: { property: "age", operator: "GREATER_THAN", values: ["old"] } }],
      },
      ["input", "rule", "conditions", "0", "property", "values", "0"],
    ],
    [
      "IN with an object among its values",
      {
        match: "ALL",
        conditions: [{ property: { property: "plan", operator: "IN", values: ["a", { b: 1 }] } }],
      },
      ["input", "rule", "conditions", "0", "property", "values", "1"],
    ],
    [
      "BETWEEN high then low",
      {
        match: "ALL",
        conditions: [{ property: { property: "age", operator: "BETWEEN", values: [40, 18] } }],
      },
      ["input", "rule", "conditions", "0", "property", "values", "1"],
    ],
    [
      "withinDays of 0",
      { match: "ALL", conditions: [{ event: { occurrence: "DID", event: "Open", withinDays: 0 } }] },
      ["input", "rule", "conditions", "0", "event", "withinDays"],
    ],
    [
      "withinDays over 3650",
      { match: "ALL", conditions: [{ event: { occurrence: "DID", event: "Open", withinDays: 3651 } }] },
      ["input", "rule", "conditions", "0", "event", "withinDays"],
    ],
    [
      "minCount of 0",
      { match: "ALL", conditions: [{ event: { occurrence: "DID", event: "Open", minCount: 0 } }] },
      ["input", "rule", "conditions", "0", "event", "minCount"],
    ],
    [
      "a bad filter on an event's properties",
      {
        match: "ALL",
        conditions: [
          {
            event: {
              occurrence: "DID",
              event: "Open",
              where: [{ property: "x", operator: "LESS_THAN", values: [] }],
            },
          },
        ],
      },
      ["input", "rule", "conditions", "0", "event", "where", "0", "values"],
    ],
    [
      "a rule five levels deep",
      nest(5),
      ["input", "rule", "groups", "0", "groups", "0", "groups", "0", "groups", "0"],
    ],
  ])("%s is INVALID at the path of the bad value, and nothing is created", async (_what, rule, field) => {
    const before = await segmentCount();
    const { segment, userErrors } = await createSegment({ name: `bad rule ${Math.random()}`, rule });
    expect(segment).toBeNull();
    expect(userErrors).toContainEqual(expect.objectContaining({ code: "INVALID", field }));
    expect(await segmentCount()).toBe(before);
  });

  test("a rule four levels deep is accepted", async () => {
    const { userErrors } = await createSegment({ name: "Deep rule", rule: nest(4) });
    expect(userErrors).toEqual([]);
  });

  test("100 conditions in all are accepted; 101 are INVALID", async () => {
    const conditions = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ property: { property: `p${i}`, operator: "EXISTS" as const } }));
    const hundred = await createSegment({
      name: "Hundred",
      rule: {
        match: "ALL",
        conditions: conditions(60),
        groups: [{ match: "ANY", conditions: conditions(40) }],
      },
    });
    expect(hundred.userErrors).toEqual([]);
    const tooMany = await createSegment({
      name: "Too many",
      rule: {
        match: "ALL",
        conditions: conditions(61),
        groups: [{ match: "ANY", conditions: conditions(40) }],
      },
    });
    expect(tooMany.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "rule"] }),
    ]);
  });

  test("a bad new rule on update is INVALID and the old rule stays", async () => {
    const { segment } = await createSegment({ name: "Keeps its rule", rule: nycIphoneRule });
    const { updateSegment } = await app.query(UpdateSegmentDocument, {
      input: { id: segment!.id, rule: { match: "ALL" } },
    });
    expect(updateSegment.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", field: ["input", "rule"] }),
    ]);
    expect(await segmentById(segment!.id)).toEqual(segment);
  });
});

describe("archiving segments", () => {
  test("an archived segment is hidden by default, listed with archived: true, and read-only (ARCHIVED)", async () => {
    const { segment } = await createSegment({ name: "Seasonal", rule: nycIphoneRule });
    const archived = (await app.query(ArchiveSegmentDocument, { id: segment!.id })).archiveSegment.segment!;
    expect(archived.archived).toBe(true);
    const listed = async (filter: { archived: boolean | null }) =>
      (await app.query(ListSegmentsDocument, { filter, first: 100 })).segments.nodes;
    const ids = (segments: { id: string }[]) => segments.map((s) => s.id);
    expect(ids(await listed({ archived: false }))).not.toContain(segment!.id);
    const archivedOnly = await listed({ archived: true });
    expect(ids(archivedOnly)).toContain(segment!.id);
    expect(archivedOnly.every((s) => s.archived)).toBe(true);
    expect(ids(await listed({ archived: null }))).toContain(segment!.id);

    const { updateSegment } = await app.query(UpdateSegmentDocument, {
      input: { id: segment!.id, name: "Seasonal 2" },
    });
    expect(updateSegment.userErrors).toEqual([expect.objectContaining({ code: "ARCHIVED" })]);
    expect(await segmentById(segment!.id)).toEqual(archived);
  });

  test("archiving twice or unarchiving an active segment is INVALID_STATE", async () => {
    const { segment } = await createSegment({ name: "Toggle", rule: nycIphoneRule });
    expect(
      (await app.query(UnarchiveSegmentDocument, { id: segment!.id })).unarchiveSegment.userErrors[0].code,
    ).toBe("INVALID_STATE");
    await app.query(ArchiveSegmentDocument, { id: segment!.id });
    expect(
      (await app.query(ArchiveSegmentDocument, { id: segment!.id })).archiveSegment.userErrors[0].code,
    ).toBe("INVALID_STATE");
    expect(
      (await app.query(UnarchiveSegmentDocument, { id: segment!.id })).unarchiveSegment.segment?.archived,
    ).toBe(false);
  });

  test("a segment no experience targets has no usages and archives freely", async () => {
    const { segment } = await createSegment({ name: "Unused", rule: nycIphoneRule });
    expect(segment?.usages).toEqual([]);
    expect((await app.query(ArchiveSegmentDocument, { id: segment!.id })).archiveSegment.userErrors).toEqual(
      [],
    );
  });

  test("clone, update and archive are in the audit log", async () => {
    const { segment } = await createSegment({ name: "Audited segment", rule: nycIphoneRule });
    const copy = (await app.query(CloneSegmentDocument, { id: segment!.id })).cloneSegment.segment!;
    const { auditLog } = await app.query(AuditLogDocument, { entityId: copy.id });
    expect(auditLog.nodes).toEqual([
      expect.objectContaining({ action: "cloneSegment", entityType: "Segment", before: null }),
    ]);
    expect(auditLog.nodes[0].after).toMatchObject({
      name: "Audited segment (copy)",
      clonedFromId: segment!.id,
    });
  });
});

/** A rule `levels` deep: each level one condition and one nested group, the last a condition only. */
function nest(levels: number): SegmentRuleInput {
  const leaf: SegmentRuleInput = {
    match: "ALL",
    conditions: [{ property: { property: `level${levels}`, operator: "EXISTS" } }],
  };
  return levels === 1
    ? leaf
    : {
        match: "ANY",
        conditions: [{ property: { property: `level${levels}`, operator: "EXISTS" } }],
        groups: [nest(levels - 1)],
      };
}
