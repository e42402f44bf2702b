import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  AbTestResultsDocument,
  ArchiveKeyDocument,
  CreateAbTestDocument,
  CreateFeatureFlagDocument,
  CreateGoalDocument,
  CreateKeyDocument,
  CreateProductConfigDocument,
  EvaluateDocument,
  ListKeysDocument,
  StartExperienceDocument,
  TrackEventsDocument,
  ScheduleExperienceDocument,
  UpdateFeatureFlagDocument,
  UpdateKeyDocument,
  UpdateProductConfigDocument,
  ViewerDocument,
} from "../../client/generated/graphql";
import { databaseUrl, freshDatabase, type TestDatabase } from "../helpers/database";
import { onPostgresOnly } from "../helpers/skips";
import { startServerProcess, stopServerProcesses, type ServerProcess } from "../helpers/servers";
import { closeWriteGate } from "../helpers/write-gate";

/**
 * Several server processes on one PostgreSQL keep every rule that can race. SQLite is one process
 * per database file by design (docs/DEPLOYMENT.md), so this runs in the PostgreSQL pass of CI.
 */

const SECRET = "px_multi_process_bootstrap_secret";

onPostgresOnly("one SQLite file has one server process").describe(
  "two server processes on one PostgreSQL",
  () => {
    let database: TestDatabase;
    let servers: ServerProcess[];

    beforeAll(async () => {
      database = await freshDatabase();
      const env = { DATABASE_URL: databaseUrl(database.config), BOOTSTRAP_ADMIN_TOKEN: SECRET };
      // Started together: migrations and the bootstrap token race too.
      servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    });
    afterAll(async () => {
      await stopServerProcesses();
      await database.drop();
    });

    async function call<TData, TVariables>(
      server: ServerProcess,
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
    ): Promise<TData> {
      const response = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data?: TData; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    }
    /** Alternates requests between the two processes. */
    const on = (i: number) => servers[i % 2];

    test("both started on a fresh database with one bootstrap token between them", async () => {
      const tokens = await database.query<{ name: string }>("SELECT name FROM api_token");
      expect(tokens).toEqual([{ name: "bootstrap" }]);
    });

    test("the 500 active keys limit holds across processes", async () => {
      for (let i = 0; i < 470; i++)
        await call(on(i), CreateKeyDocument, {
          input: { name: `pre_${i}`, type: "BOOLEAN", defaultValue: false },
        });
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          call(on(i), CreateKeyDocument, {
            input: { name: `race_${i}`, type: "BOOLEAN", defaultValue: false },
          }),
        ),
      );
      expect(results.filter((r) => r.createKey.key).length).toBe(30);
      expect(results.filter((r) => r.createKey.userErrors[0]?.code === "LIMIT_REACHED").length).toBe(30);
      expect((await call(servers[0], ListKeysDocument, { first: 1 })).keys.totalCount).toBe(500);
      // Make room for the tests below.
      const { keys } = await call(servers[0], ListKeysDocument, { first: 100 });
      for (const key of keys.nodes) await call(servers[1], ArchiveKeyDocument, { id: key.id });
    });

    test("names stay unique ignoring case across processes", async () => {
      const spellings = ["Racer", "RACER", "racer", "rAcEr", "RaCeR", "racER"];
      const results = await Promise.all(
        spellings.map((name, i) => call(on(i), CreateGoalDocument, { input: { name, events: ["e"] } })),
      );
      expect(results.filter((r) => r.createGoal.goal).length).toBe(1);
    });

    test("archiveKey racing createProductConfig on the other process never leaves an archived key in use, in either order", async () => {
      const projectId = (await call(servers[0], ViewerDocument, {})).viewer.project.id;
      // Six requests alternating between the processes, all waiting on the project lock at once, the
      // archive queued at a different place each round: first (it wins) or behind creates (IN_USE).
      for (let round = 0; round < 6; round++) {
        const { createKey } = await call(servers[0], CreateKeyDocument, {
          input: { name: `contested_${round}`, type: "NUMBER", defaultValue: 1 },
        });
        const keyId = createKey.key!.id;
        const gate = await closeWriteGate({ database }, { project: projectId });
        const creates: Promise<{
          createProductConfig: { experience: { name: string } | null; userErrors: { code: string }[] };
        }>[] = [];
        let archive: ReturnType<typeof archiveOn> | null = null;
        const archiveOn = (i: number) => call(on(i), ArchiveKeyDocument, { id: keyId });
        for (let i = 0; i < 6; i++) {
          if (i === round) archive = (await gate.send(() => archiveOn(i))).answer;
          else {
            const input = { name: `contest ${round} ${i}`, values: [{ keyId, value: 2 }] };
            creates.push((await gate.send(() => call(on(i), CreateProductConfigDocument, { input }))).answer);
          }
        }
        await gate.open();
        const archiveAnswer = (await archive!).archiveKey;
        const created = await Promise.all(creates);
        const [{ archived, live }] = await database.query<{ archived: boolean; live: string }>(
          `SELECT (SELECT archived_at IS NOT NULL FROM key WHERE id = $1) AS archived,
                (SELECT COUNT(*) FROM experience_value v JOIN experience e ON e.id = v.experience_id
                  WHERE v.key_id = $1 AND e.archived_at IS NULL) AS live`,
          [keyId],
        );
        // The gate lets the waiting requests through in the order they queued: the archive wins only
        // when it came first.
        expect(Boolean(archived)).toBe(round === 0);
        if (round === 0) {
          expect(Number(live)).toBe(0);
          expect(archiveAnswer.userErrors).toEqual([]);
          for (const result of created)
            expect(result.createProductConfig.userErrors.map((e) => e.code)).toEqual(["ARCHIVED"]);
        } else {
          const createdNames = created.flatMap((result) => result.createProductConfig.experience?.name ?? []);
          expect(Number(live)).toBe(createdNames.length);
          expect(archiveAnswer.userErrors).toEqual([expect.objectContaining({ code: "IN_USE" })]);
          expect(archiveAnswer.userErrors[0].usages.length).toBeGreaterThan(0);
          for (const usage of archiveAnswer.userErrors[0].usages) expect(createdNames).toContain(usage.name);
        }
      }
    });

    test("a user evaluated on both processes at once holds at most one exclusive test", async () => {
      const { createGoal } = await call(servers[0], CreateGoalDocument, {
        input: { name: "Exclusive goal", events: ["x"] },
      });
      const goalIds = [createGoal.goal!.id];
      const variants = [
        { name: "control", weight: 50, isControl: true },
        { name: "b", weight: 50 },
      ];
      for (const name of ["Exclusive A", "Exclusive B"]) {
        const { createABTest } = await call(servers[0], CreateAbTestDocument, {
          input: { name, goalIds, primaryGoalId: goalIds[0], variants, mutuallyExclusive: true },
        });
        await call(servers[1], StartExperienceDocument, { id: createABTest.experience!.id });
      }
      const users = Array.from({ length: 40 }, (_, i) => `both-${i}`);
      await Promise.all(
        users.flatMap((id) => [0, 1, 2, 3].map((i) => call(on(i), EvaluateDocument, { user: { id } }))),
      );
      const rows = await database.query<{ user_id: string; tests: string }>(
        `SELECT a.user_id, COUNT(*) AS tests FROM assignment a JOIN experience e ON e.id = a.experience_id
        WHERE e.mutually_exclusive GROUP BY a.user_id`,
      );
      expect(rows).toHaveLength(users.length);
      expect(rows.every((row) => Number(row.tests) === 1)).toBe(true);
    });

    test("an event id sent to both processes at once is stored once", async () => {
      const events = Array.from({ length: 50 }, (_, i) => ({
        id: `dup-${i}`,
        userId: `dup-user-${i % 5}`,
        name: "Charged",
      }));
      await Promise.all([0, 1, 2, 3].map((i) => call(on(i), TrackEventsDocument, { events })));
      const [{ count }] = await database.query<{ count: string }>(
        "SELECT COUNT(*) AS count FROM event WHERE client_id LIKE 'dup-%'",
      );
      expect(Number(count)).toBe(50);
    });

    test("a change made through one process is served by the other from its next request", async () => {
      const { createKey } = await call(servers[0], CreateKeyDocument, {
        input: { name: "cache_probe", type: "STRING", defaultValue: "old" },
      });
      const { createFeatureFlag } = await call(servers[0], CreateFeatureFlagDocument, {
        input: { name: "Cache probe", keyId: createKey.key!.id, value: "flagged", rolloutPercentage: 0 },
      });
      const flagId = createFeatureFlag.experience!.id;
      await call(servers[0], StartExperienceDocument, { id: flagId });
      const probe = async () =>
        (await call(servers[1], EvaluateDocument, { user: { id: "probe" } })).evaluate.values.find(
          (v) => v.key === "cache_probe",
        )!.value;
      expect(await probe()).toBe("old"); // server 1 has now cached the ruleset
      await call(servers[0], UpdateFeatureFlagDocument, { input: { id: flagId, rolloutPercentage: 100 } });
      expect(await probe()).toBe("flagged");
      // A live edit of a running product config's values too (allowed until it stops).
      const { createKey: other } = await call(servers[0], CreateKeyDocument, {
        input: { name: "live_probe", type: "STRING", defaultValue: "old" },
      });
      const { createProductConfig } = await call(servers[0], CreateProductConfigDocument, {
        input: { name: "Live probe", values: [{ keyId: other.key!.id, value: "v1" }] },
      });
      await call(servers[0], StartExperienceDocument, { id: createProductConfig.experience!.id });
      const live = async () =>
        (await call(servers[1], EvaluateDocument, { user: { id: "probe" } })).evaluate.values.find(
          (v) => v.key === "live_probe",
        )!.value;
      expect(await live()).toBe("v1");
      await call(servers[0], UpdateProductConfigDocument, {
        input: { id: createProductConfig.experience!.id, values: [{ keyId: other.key!.id, value: "v2" }] },
      });
      expect(await live()).toBe("v2");
    });

    test("of 20 updates sending the same expectedVersion to both processes at once, exactly one is applied", async () => {
      const { createKey } = await call(servers[0], CreateKeyDocument, {
        input: { name: "edited_by_all", type: "NUMBER", defaultValue: 0 },
      });
      const id = createKey.key!.id;
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(on(i), UpdateKeyDocument, { input: { id, defaultValue: i + 1, expectedVersion: 1 } }),
        ),
      );
      expect(answers.filter((answer) => answer.updateKey.userErrors.length === 0)).toHaveLength(1);
      expect(answers.flatMap((answer) => answer.updateKey.userErrors.map((error) => error.code))).toEqual(
        Array(19).fill("CONFLICT"),
      );
      const [row] = await database.query<{ version: number }>("SELECT version FROM key WHERE id = $1", [id]);
      expect(row.version).toBe(2);
    });

    test("30 schedules due at one moment are each made once, by one of the two processes' schedulers", async () => {
      const { createKey } = await call(servers[0], CreateKeyDocument, {
        input: { name: "scheduled_key", type: "NUMBER", defaultValue: 0 },
      });
      const keyId = createKey.key!.id;
      const startAt = new Date(Date.now() + 3000).toISOString();
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) {
        const { createProductConfig } = await call(on(i), CreateProductConfigDocument, {
          input: { name: `scheduled ${i}`, values: [{ keyId, value: i }] },
        });
        ids.push(createProductConfig.experience!.id);
        await call(on(i + 1), ScheduleExperienceDocument, { id: ids[i], startAt });
      }
      const deadline = Date.parse(startAt) + 5000;
      let running = 0;
      while (running < ids.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        [{ running }] = await database.query<{ running: number }>(
          "SELECT COUNT(*)::int AS running FROM experience WHERE id = ANY($1) AND status = 'RUNNING'",
          [ids],
        );
      }
      expect(running).toBe(ids.length);
      const starts = await database.query<{ experience_id: string; n: number }>(
        "SELECT experience_id, COUNT(*)::int AS n FROM experience_version WHERE experience_id = ANY($1) AND action = 'start' AND actor = 'scheduler' GROUP BY experience_id",
        [ids],
      );
      expect(starts.map((row) => row.n)).toEqual(Array(ids.length).fill(1));
      const audited = await database.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM audit_event WHERE entity_id = ANY($1) AND action = 'startExperience' AND actor = 'scheduler'",
        [ids],
      );
      expect(audited[0].n).toBe(ids.length);
    });

    test("a guardrail breach seen by both processes at once is recorded once, and the test paused once", async () => {
      const { createGoal: purchase } = await call(servers[0], CreateGoalDocument, {
        input: { name: "Guarded purchase", events: ["Purchase"] },
      });
      const { createGoal: crashes } = await call(servers[0], CreateGoalDocument, {
        input: { name: "Guarded crashes", events: ["Crash"], higherIsBetter: false },
      });
      const { createABTest } = await call(servers[0], CreateAbTestDocument, {
        input: {
          name: "Guarded test",
          goalIds: [purchase.goal!.id],
          primaryGoalId: purchase.goal!.id,
          guardrailGoalIds: [crashes.goal!.id],
          guardrailAction: "PAUSE",
          variants: [
            { name: "control", weight: 50, isControl: true },
            { name: "b", weight: 50 },
          ],
        },
      });
      const testId = createABTest.experience!.id;
      await call(servers[1], StartExperienceDocument, { id: testId });
      const crashing: string[] = [];
      for (let i = 0; i < 400; i++) {
        const { evaluate } = await call(on(i), EvaluateDocument, { user: { id: `guarded-${i}` } });
        // Earlier tests of this file left tests running in the project: take this test's assignment.
        const assignment = evaluate.assignments.find((placed) => placed.abTestId === testId);
        if (assignment?.variant === "b") crashing.push(`guarded-${i}`);
      }
      await call(servers[0], TrackEventsDocument, {
        events: crashing.map((userId) => ({ userId, name: "Crash" })),
      });
      // Each process checks after its results read, at the same moment.
      await Promise.all(
        Array.from({ length: 6 }, (_, i) => call(on(i), AbTestResultsDocument, { id: testId })),
      );
      const versions = await database.query<{ action: string; status: string; actor: string }>(
        "SELECT action, status, actor FROM experience_version WHERE experience_id = $1 AND actor = 'guardrail'",
        [testId],
      );
      expect(versions).toEqual([{ action: "guardrailBreach", status: "PAUSED", actor: "guardrail" }]);
    });
  },
);
