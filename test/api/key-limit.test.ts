import {
  ArchiveKeyDocument,
  CreateKeyDocument,
  ListKeysDocument,
  UnarchiveKeyDocument,
} from "../../client/generated/graphql";
import { CONCURRENT_WRITES } from "../helpers/database";
import { startTestApp, type TestApp } from "../helpers/servers";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

function createKey(name: string, token: string) {
  return app
    .query(CreateKeyDocument, { input: { name, type: "BOOLEAN", defaultValue: false } }, token)
    .then((r) => r.createKey);
}

async function activeKeyCount(token: string): Promise<number> {
  return (await app.query(ListKeysDocument, { first: 1 }, token)).keys.totalCount;
}

test(`a project holds at most 500 active keys when the last 40 creates are sent at once (${CONCURRENT_WRITES})`, async () => {
  const project = await app.newProject("Limit project");
  for (let i = 0; i < 490; i++) expect((await createKey(`key_${i}`, project)).userErrors).toEqual([]);

  const racing = await Promise.all(Array.from({ length: 40 }, (_, i) => createKey(`race_${i}`, project)));
  const created = racing.filter((result) => result.key !== null);
  const refused = racing.filter((result) => result.key === null);
  expect(created).toHaveLength(10);
  expect(refused).toHaveLength(30);
  for (const result of refused) {
    expect(result.userErrors).toEqual([
      expect.objectContaining({ code: "LIMIT_REACHED", field: ["input", "name"] }),
    ]);
  }
  expect(await activeKeyCount(project)).toBe(500);
});

test("archived keys do not count, and unarchiving into a full project is LIMIT_REACHED", async () => {
  const project = await app.newProject("Unarchive limit project");
  const first = await createKey("first", project);
  await app.query(ArchiveKeyDocument, { id: first.key!.id }, project);
  for (let i = 0; i < 500; i++) expect((await createKey(`k${i}`, project)).userErrors).toEqual([]);
  expect((await createKey("one_too_many", project)).userErrors[0].code).toBe("LIMIT_REACHED");

  const { unarchiveKey } = await app.query(UnarchiveKeyDocument, { id: first.key!.id }, project);
  expect(unarchiveKey.userErrors).toEqual([expect.objectContaining({ code: "LIMIT_REACHED" })]);
  expect(await activeKeyCount(project)).toBe(500);

  const { nodes } = (await app.query(ListKeysDocument, { first: 1 }, project)).keys;
  await app.query(ArchiveKeyDocument, { id: nodes[0].id }, project);
  expect(
    (await app.query(UnarchiveKeyDocument, { id: first.key!.id }, project)).unarchiveKey.userErrors,
  ).toEqual([]);
  expect(await activeKeyCount(project)).toBe(500);
});

test(`of creates of one name in different cases sent at once (${CONCURRENT_WRITES}), exactly one wins; the rest are NAME_TAKEN`, async () => {
  const spellings = ["promo", "PROMO", "Promo", "pRomo", "proMO", "PrOmO", "promO", "PROmo"];
  const results = await Promise.all(spellings.map((name) => createKey(name, app.adminToken)));
  expect(results.filter((result) => result.key !== null)).toHaveLength(1);
  expect(results.flatMap((result) => result.userErrors.map((e) => e.code)).sort()).toEqual(
    Array(7).fill("NAME_TAKEN"),
  );
});
