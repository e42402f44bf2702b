import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode } from "graphql";
import { fragmentsOf, LIMITS, measureOperation } from "../../src/graphql/limits";
import { buildAppSchema } from "../../src/graphql/schema";
import { type RunningServer } from "../../src/server";
import { type TestDatabase } from "../helpers/database";
import { startHttpServer, type HttpTestServer } from "../helpers/servers";

const SECRET = "px_limits_test_bootstrap_secret";
let running: HttpTestServer;
let server: RunningServer;
let database: TestDatabase;

beforeAll(async () => {
  running = await startHttpServer({ env: { BOOTSTRAP_ADMIN_TOKEN: SECRET } });
  ({ server, database } = running);
});
afterAll(() => running.close());

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(body: string): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
    body,
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

const ask = (query: string, variables?: unknown) => send(JSON.stringify({ query, variables }));

/** After every refusal the server must still answer a normal request. */
afterEach(async () => {
  expect((await ask("{ viewer { role } }")).body).toEqual({ data: { viewer: { role: "ADMIN" } } });
});

function expectRefused(answer: Answer, code: string, limit: number) {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors?.[0].extensions).toMatchObject({ code, limit });
  expect(answer.body.errors?.[0].message).toContain(String(limit));
}

describe("depth", () => {
  /** A query exactly `depth` fields deep: segments > nodes > rule > (groups >)* match. */
  const nested = (depth: number) => {
    let selection = "match";
    for (let level = 4; level < depth; level++) selection = `groups { ${selection} }`;
    return `{ segments { nodes { rule { ${selection} } } } }`;
  };

  test(`a query ${LIMITS.maxDepth + 1} levels deep is QUERY_TOO_DEEP; ${LIMITS.maxDepth} levels pass`, async () => {
    const refused = await ask(nested(LIMITS.maxDepth + 1));
    expectRefused(refused, "QUERY_TOO_DEEP", LIMITS.maxDepth);
    expect(refused.body.errors?.[0].extensions?.actual).toBe(LIMITS.maxDepth + 1);
    expect((await ask(nested(LIMITS.maxDepth))).body.errors).toBeUndefined();
  });

  test(`${LIMITS.maxDepth} levels pass: GraphiQL's own introspection query works`, async () => {
    const answer = await ask(getIntrospectionQuery());
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });

  test("a fragment cannot hide depth", async () => {
    const fragments = Array.from(
      { length: 20 },
      (_, i) => `fragment F${i} on SegmentRule { match groups { ...F${i + 1} } }`,
    ).join("\n");
    const answer = await ask(
      `{ segments { nodes { rule { ...F0 } } } }\n${fragments}\nfragment F20 on SegmentRule { match }`,
    );
    expectRefused(answer, "QUERY_TOO_DEEP", LIMITS.maxDepth);
  });
});

describe("cost", () => {
  test("three pages of 100 keys with their usages fit; ten do not (QUERY_TOO_COMPLEX)", async () => {
    const page = (alias: string) => `${alias}: keys(first: 100) { nodes { id name usages { id name } } }`;
    const fits = await ask(`{ ${["a", "b", "c"].map(page).join(" ")} }`);
    expect(fits.body.errors).toBeUndefined();
    expectRefused(
      await ask(`{ ${"abcdefghij".split("").map(page).join(" ")} }`),
      "QUERY_TOO_COMPLEX",
      LIMITS.maxCost,
    );
  });

  test("the cost follows `first` given as a variable", async () => {
    const query = `query ($n: Int) { a: keys(first: $n) { nodes { usages { id } } } b: segments(first: $n) { nodes { usages { id } } } c: goals(first: $n) { nodes { usages { id } } } d: experiences(first: $n) { nodes { segment { id } } } e: auditLog(first: $n) { nodes { id } } f: keys(first: $n) { nodes { usages { id } } } }`;
    expect((await ask(query, { n: 10 })).body.errors).toBeUndefined();
    expectRefused(await ask(query, { n: 100 }), "QUERY_TOO_COMPLEX", LIMITS.maxCost);
  });
});

describe("the checks themselves are cheap", () => {
  /** Fragments that each spread the next twice: expanded, `levels` of them hold 2^levels copies of the leaf. */
  const doubling = (levels: number, leaf: string) =>
    `query Probe${Math.random().toString(36).slice(2)} { ...F0 }\n` +
    Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(
      "\n",
    ) +
    `\nfragment F${levels} on Query { ${leaf} }`;

  test("the walk measures each fragment once: its work grows with the document, not with the expansion", async () => {
    const schema = await buildAppSchema();
    const visited = (levels: number) => {
      const document = parse(doubling(levels, "__typename"));
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
      )!;
      return measureOperation(schema, fragmentsOf(document), operation, {}).visited;
    };
    // Two spreads per fragment and one leaf: 2 × levels + 2 selections, whatever 2^levels is.
    for (const levels of [5, 10, 20, 26, 60]) expect(visited(levels)).toBe(2 * levels + 2);
  });

  test.each([
    ["viewer { role }", "QUERY_TOO_COMPLEX"],
    ["a: __typename", "TOO_MANY_ALIASES"],
  ])(
    "26 levels of doubling fragments over %s are refused with %s, each time under a new operation name",
    async (leaf, code) => {
      for (let i = 0; i < 3; i++)
        expect((await ask(doubling(26, leaf))).body.errors?.[0].extensions?.code).toBe(code);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
    },
  );

  test("26 levels of doubling fragments over a free field are answered, not stuck", async () => {
    expect((await ask(doubling(26, "__typename"))).body).toEqual({ data: { __typename: "Query" } });
  });

  test("a document of 15,000 fields gets a client error, never a 500 (graphql-js meters its own field-merging check)", async () => {
    const answer = await ask(`{ ${"__typename ".repeat(15_000)} }`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect((await ask(`{ ${"__typename ".repeat(500)} }`)).body).toEqual({ data: { __typename: "Query" } });
  });
});

describe("what runs is what was measured", () => {
  const query = `query ($on: Boolean!) {
    a: keys(first: 100) @include(if: $on) { nodes { usages { id } segment: __typename } }
    b: segments(first: 100) @include(if: $on) { nodes { usages { id } } }
    c: goals(first: 100) @include(if: $on) { nodes { usages { id } } }
    d: keys(first: 100) @include(if: $on) { nodes { usages { id } } }
    e: keys(first: 100) @include(if: $on) { nodes { usages { id } } }
    f: keys(first: 100) @include(if: $on) { nodes { usages { id } } }
    viewer { role }
  }`;

  test("@include(if: false) first, then true: the second request is measured with what it runs", async () => {
    expect((await ask(query, { on: false })).body).toEqual({ data: { viewer: { role: "ADMIN" } } });
    expectRefused(await ask(query, { on: true }), "QUERY_TOO_COMPLEX", LIMITS.maxCost);
    expectRefused(
      await ask(query.replace(/@include\(if: \$on\)/g, "@skip(if: $on)"), { on: false }),
      "QUERY_TOO_COMPLEX",
      LIMITS.maxCost,
    );
  });

  test.each([
    [
      "first: -1000000 written inline",
      '{ evaluate(user: { id: "page-probe-1" }) { segmentIds } a: keys(first: -1000000) { totalCount } }',
      {},
    ],
    [
      "first: 0 in a variable",
      'query ($n: Int) { evaluate(user: { id: "page-probe-2" }) { segmentIds } a: keys(first: $n) { totalCount } }',
      { n: 0 },
    ],
    [
      "first: 101",
      '{ evaluate(user: { id: "page-probe-3" }) { segmentIds } a: auditLog(first: 101) { totalCount } }',
      {},
    ],
    [
      "a cursor we did not make",
      '{ evaluate(user: { id: "page-probe-4" }) { segmentIds } a: keys(after: "bm9wZQ") { totalCount } }',
      {},
    ],
  ])("%s is BAD_USER_INPUT before any field runs", async (_what, document, variables) => {
    const answer = await ask(document, variables);
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }),
    ]);
  });

  test("a negative page cannot offset large ones: 28 pages of 100 plus one of -1,000,000 is refused", async () => {
    const pages = Array.from(
      { length: 28 },
      (_, i) => `p${i}: keys(first: 100) { nodes { id usages { id } } }`,
    ).join(" ");
    const answer = await ask(`{ ${pages} minus: keys(first: -1000000) { nodes { id } } }`);
    expect(answer.status).toBe(400);
    expect(["BAD_USER_INPUT", "QUERY_TOO_COMPLEX"]).toContain(answer.body.errors?.[0].extensions?.code);
  });
});

describe("per-request budgets of SDK calls", () => {
  test(`${LIMITS.maxEvaluations + 1} aliased evaluates are TOO_MANY_EVALUATIONS, and nobody is evaluated`, async () => {
    const fields = Array.from(
      { length: LIMITS.maxEvaluations + 1 },
      (_, i) => `e${i}: evaluate(user: { id: "budget-${i}" }) { segmentIds }`,
    ).join(" ");
    expectRefused(await ask(`{ ${fields} }`), "TOO_MANY_EVALUATIONS", LIMITS.maxEvaluations);
    const ten = Array.from(
      { length: LIMITS.maxEvaluations },
      (_, i) => `e${i}: evaluate(user: { id: "budget-${i}" }) { segmentIds }`,
    ).join(" ");
    expect((await ask(`{ ${ten} }`)).body.errors).toBeUndefined();
  });

  test("aliased trackEvents reusing one 1,000-event variable are TOO_MANY_EVENTS, and nothing is stored", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      userId: "budget-user",
      name: "Budget",
      id: `budget-${i}`,
    }));
    const fields = Array.from(
      { length: 28 },
      (_, i) => `t${i}: trackEvents(events: $events) { accepted }`,
    ).join(" ");
    const answer = await ask(`mutation ($events: [EventInput!]!) { ${fields} }`, { events });
    expectRefused(answer, "TOO_MANY_EVENTS", LIMITS.maxEvents);
    const stored = await database.query<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM event WHERE name = 'Budget'",
    );
    expect(Number(stored[0].n)).toBe(0);
    expect(
      (
        await ask("mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }", {
          events,
        })
      ).body,
    ).toEqual({
      data: { trackEvents: { accepted: 1000 } },
    });
  });
});

describe("aliases, lists and nesting", () => {
  test(`${LIMITS.maxAliases + 1} aliases are TOO_MANY_ALIASES`, async () => {
    const fields = Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `v${i}: viewer { role }`).join(
      " ",
    );
    expectRefused(await ask(`{ ${fields} }`), "TOO_MANY_ALIASES", LIMITS.maxAliases);
  });

  test(`a list of ${LIMITS.maxListItems + 1} items is LIST_TOO_LONG, before any of it is looked at`, async () => {
    const events = Array.from({ length: LIMITS.maxListItems + 1 }, () => ({ userId: "u", name: "e" }));
    const answer = await ask(
      "mutation ($events: [EventInput!]!) { trackEvents(events: $events) { accepted } }",
      { events },
    );
    expectRefused(answer, "LIST_TOO_LONG", LIMITS.maxListItems);
  });

  test(`JSON nested ${LIMITS.maxInputDepth + 1} deep in a variable is INPUT_TOO_DEEP`, async () => {
    let value: unknown = 1;
    for (let i = 0; i < LIMITS.maxInputDepth + 1; i++) value = { inner: value };
    const answer = await ask('mutation ($p: JSON!) { identify(userId: "u", properties: $p) { accepted } }', {
      p: value,
    });
    expectRefused(answer, "INPUT_TOO_DEEP", LIMITS.maxInputDepth);
  });

  test("JSON nested 100,000 deep is refused, not a crash", async () => {
    const body = `{"query":"mutation ($p: JSON!) { identify(userId: \\"u\\", properties: $p) { accepted } }","variables":{"p":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`;
    const answer = await send(body);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].extensions?.code).toBe("INPUT_TOO_DEEP");
  });

  test("a list literal in the document counts too", async () => {
    const values = Array.from({ length: LIMITS.maxListItems + 1 }, (_, i) => `"e${i}"`).join(",");
    expectRefused(
      await ask(`mutation { createGoal(input: { name: "g", events: [${values}] }) { goal { id } } }`),
      "LIST_TOO_LONG",
      LIMITS.maxListItems,
    );
  });
});

describe("documents and batches", () => {
  test(`a document of more than ${LIMITS.maxTokens} tokens is refused while parsing`, async () => {
    const answer = await ask(`{ ${"viewer { role } ".repeat(LIMITS.maxTokens / 4)} }`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]).toMatchObject({
      extensions: { code: "GRAPHQL_PARSE_FAILED" },
      message: expect.stringContaining(String(LIMITS.maxTokens)),
    });
  });

  test("a batch of operations in one request is refused", async () => {
    const answer = await send(
      JSON.stringify([{ query: "{ viewer { role } }" }, { query: "{ viewer { role } }" }]),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0].extensions?.code).toBe("BAD_REQUEST");
  });

  test("wrong argument types get a clear error naming the value", async () => {
    const answer = await ask('{ keys(first: "ten") { totalCount } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]).toMatchObject({
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      message: expect.stringContaining('"ten"'),
    });
  });
});
