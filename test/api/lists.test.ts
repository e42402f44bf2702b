import {
  CreateKeyDocument,
  CreateProductConfigDocument,
  CreateProjectDocument,
  ListExperiencesDocument,
  ListKeysDocument,
  ProjectsDocument,
  UpdateKeyDocument,
  UpdateProductConfigDocument,
  type ListExperiencesQuery,
  type ListKeysQuery,
  type ListOrderInput,
} from "../../client/generated/graphql";
import { Role } from "../../src/access/role";
import { startTestApp, type TestApp } from "../helpers/servers";

/*
 * What a dashboard's tables need: sorting by name, creation or last change, both ways; paging
 * forward and backward with cursors that stay valid while rows are added; and an ADMIN's project
 * switcher. Keys are paged in memory, experiences in SQL: both are walked here, on both engines.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

// Mixed case and a non-ASCII name: the order is by lower-cased name, in code point order.
const KEY_NAMES = [
  "banana",
  "Apple",
  "cherry",
  "apricot",
  "Blueberry",
  "date",
  "Élan",
  "fig",
  "Grape",
  "kiwi",
];

beforeAll(async () => {
  for (const name of KEY_NAMES)
    await app.query(CreateKeyDocument, {
      input: { name: name.replace("É", "E_"), type: "STRING", defaultValue: name },
    });
});

/** Every key name, walking pages of `size` forward (or backward from the end). */
async function walkKeys(orderBy: ListOrderInput | null, size: number, backward = false) {
  const names: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const { keys }: ListKeysQuery = await app.query(
      ListKeysDocument,
      backward ? { last: size, before: cursor, orderBy } : { first: size, after: cursor, orderBy },
    );
    const page = keys.nodes.map((node) => node.name);
    if (backward) names.unshift(...page);
    else names.push(...page);
    const more = backward ? keys.pageInfo.hasPreviousPage : keys.pageInfo.hasNextPage;
    if (!more) return names;
    cursor = backward ? keys.pageInfo.startCursor! : keys.pageInfo.endCursor!;
  }
  throw new Error("paging did not end");
}

describe("keys sorted and paged both ways", () => {
  const byName = [...KEY_NAMES.map((name) => name.replace("É", "E_"))].sort((a, b) =>
    a.toLowerCase() < b.toLowerCase() ? -1 : 1,
  );

  test("by name, ignoring case, ascending and descending, every page size, forward and backward", async () => {
    for (const size of [1, 3, 10, 100]) {
      expect(await walkKeys({ field: "NAME", direction: "ASC" }, size)).toEqual(byName);
      expect(await walkKeys({ field: "NAME", direction: "DESC" }, size)).toEqual([...byName].reverse());
      expect(await walkKeys({ field: "NAME", direction: "ASC" }, size, true)).toEqual(byName);
    }
  });

  test("the default is creation order, as before, and backward paging walks it too", async () => {
    const created = KEY_NAMES.map((name) => name.replace("É", "E_"));
    expect(await walkKeys(null, 4)).toEqual(created);
    expect(await walkKeys(null, 4, true)).toEqual(created);
    expect(await walkKeys({ field: "CREATED_AT", direction: "DESC" }, 4)).toEqual([...created].reverse());
  });

  test("pageInfo says where the page is: hasPreviousPage and startCursor", async () => {
    const orderBy = { field: "NAME", direction: "ASC" } as const;
    const first = (await app.query(ListKeysDocument, { first: 3, orderBy })).keys;
    expect(first.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(first.pageInfo.startCursor).toBe(first.edges[0].cursor);
    const second = (await app.query(ListKeysDocument, { first: 3, after: first.pageInfo.endCursor, orderBy }))
      .keys;
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    const back = (
      await app.query(ListKeysDocument, { last: 3, before: second.pageInfo.startCursor, orderBy })
    ).keys;
    expect(back.nodes.map((node) => node.name)).toEqual(first.nodes.map((node) => node.name));
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  test("by last change: an edited key moves to the front of UPDATED_AT DESC", async () => {
    const { keys } = await app.query(ListKeysDocument, { first: 100 });
    const fig = keys.nodes.find((node) => node.name === "fig")!;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await app.query(UpdateKeyDocument, {
      input: { id: fig.id, description: "now sweeter", expectedVersion: fig.version },
    });
    expect(updated.updateKey.userErrors).toEqual([]);
    const names = await walkKeys({ field: "UPDATED_AT", direction: "DESC" }, 3);
    expect(names[0]).toBe("fig");
    expect(names).toHaveLength(KEY_NAMES.length);
  });

  test("a cursor stays valid while rows are added: no row is skipped or repeated", async () => {
    const orderBy = { field: "NAME", direction: "ASC" } as const;
    const first = (await app.query(ListKeysDocument, { first: 4, orderBy })).keys;
    // One sorts before the cursor, one after it.
    for (const name of ["aaa_early", "zzz_late"])
      await app.query(CreateKeyDocument, { input: { name, type: "STRING", defaultValue: "x" } });
    const rest = await (async () => {
      const names: string[] = [];
      let after = first.pageInfo.endCursor;
      for (;;) {
        const { keys } = await app.query(ListKeysDocument, { first: 4, after, orderBy });
        names.push(...keys.nodes.map((node) => node.name));
        if (!keys.pageInfo.hasNextPage) return names;
        after = keys.pageInfo.endCursor;
      }
    })();
    const seen = [...first.nodes.map((node) => node.name), ...rest];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain("aaa_early");
    expect(seen).toContain("zzz_late");
    expect(seen).toHaveLength(KEY_NAMES.length + 1);
  });

  test.each([
    [
      "a cursor of another order",
      { first: 2, orderBy: { field: "NAME", direction: "DESC" } },
      "after is not a cursor of this list in this order",
    ],
    ["after and before together", { first: 2, before: "x" }, "after or before, not both"],
    ["last out of range", { last: 101 }, "last must be from 1 to 100"],
  ] as const)("%s is refused as BAD_USER_INPUT naming the problem", async (_name, extra, message) => {
    const { keys } = await app.query(ListKeysDocument, {
      first: 2,
      orderBy: { field: "NAME", direction: "ASC" },
    });
    const response = await app.execute(ListKeysDocument, { after: keys.pageInfo.endCursor, ...extra });
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(response.errors?.[0].message).toContain(message);
  });
});

describe("experiences sorted and paged in SQL", () => {
  const names = ["Zeta banner", "alpha promo", "Mid season", "beta layout", "Omega"];
  const ids: string[] = [];
  beforeAll(async () => {
    const key = (
      await app.query(CreateKeyDocument, {
        input: { name: "banner_copy", type: "STRING", defaultValue: "x" },
      })
    ).createKey.key!.id;
    for (const name of names) {
      const created = await app.query(CreateProductConfigDocument, {
        input: { name, values: [{ keyId: key, value: name }] },
      });
      ids.push(created.createProductConfig.experience!.id);
    }
  });

  async function walk(orderBy: ListOrderInput, size: number, backward = false): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const { experiences }: ListExperiencesQuery = await app.query(
        ListExperiencesDocument,
        backward ? { last: size, before: cursor, orderBy } : { first: size, after: cursor, orderBy },
      );
      const page = experiences.nodes.map((node) => node.name);
      if (backward) seen.unshift(...page);
      else seen.push(...page);
      if (!(backward ? experiences.pageInfo.hasPreviousPage : experiences.pageInfo.hasNextPage)) return seen;
      cursor = backward ? experiences.pageInfo.startCursor! : experiences.pageInfo.endCursor!;
    }
  }

  test("by name both ways, forward and backward, in pages of 2", async () => {
    const sorted = [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(await walk({ field: "NAME", direction: "ASC" }, 2)).toEqual(sorted);
    expect(await walk({ field: "NAME", direction: "DESC" }, 2)).toEqual([...sorted].reverse());
    expect(await walk({ field: "NAME", direction: "ASC" }, 2, true)).toEqual(sorted);
  });

  test("by last change, newest first", async () => {
    const { experience } = await app
      .query(UpdateProductConfigDocument, {
        input: { id: ids[1], description: "edited last" },
      })
      .then((answer) => answer.updateProductConfig);
    expect(experience?.name).toBe("alpha promo");
    const order = await walk({ field: "UPDATED_AT", direction: "DESC" }, 2);
    expect(order[0]).toBe("alpha promo");
    expect(order).toHaveLength(names.length);
  });
});

describe("projects an ADMIN reaches", () => {
  test("its own and those it made (and they made), oldest first; other roles may not ask", async () => {
    const made = (await app.query(CreateProjectDocument, { name: "Mobile" })).createProject;
    const grandchild = (await app.query(CreateProjectDocument, { name: "Mobile beta" }, made.adminSecret!))
      .createProject;
    const greatGrandchild = (
      await app.query(CreateProjectDocument, { name: "Mobile beta QA" }, grandchild.adminSecret!)
    ).createProject.adminSecret!;
    const { projects } = await app.query(ProjectsDocument);
    expect(projects.map((project) => project.name)).toEqual([
      "Default project",
      "Mobile",
      "Mobile beta",
      "Mobile beta QA",
    ]);
    const fromChild = (await app.query(ProjectsDocument, {}, made.adminSecret!)).projects;
    // A project reaches down, never up: not the project that made it.
    expect(fromChild.map((project) => project.name)).toEqual(["Mobile", "Mobile beta", "Mobile beta QA"]);
    expect(
      (await app.query(ProjectsDocument, {}, greatGrandchild)).projects.map((project) => project.name),
    ).toEqual(["Mobile beta QA"]);
    const editor = await app.tokenFor(Role.EDITOR);
    expect((await app.execute(ProjectsDocument, {}, editor)).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});
