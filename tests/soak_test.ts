/**
 * A short soak inside `./dev test` (`./dev soak` runs the long one, bench/soak.ts): 6 clients call the
 * bank app's mutation and query for 12 s while the live schema flips every second. No call and no flip
 * may fail, and the money must add up. Timings are not asserted.
 */
import assert from "node:assert/strict";
import { problems, runSoak } from "./_soak.ts";
import { withDatabase } from "./harness.ts";

Deno.test("calls never fail while deploys and rollbacks flip the live schema, and transfers keep the total", () =>
  withDatabase("soak", async (db) => {
    await db.sql`create extension stopgap cascade`;
    const result = await runSoak({ url: db.url, seconds: 12, clients: 6 });
    assert.deepEqual(problems(result), []);
    assert.ok(result.deploys > 0 && result.rollbacks > 0, "both deploys and rollbacks happened");
    assert.ok((result.servedBy.v1 ?? 0) > 0 && (result.servedBy.v2 ?? 0) > 0, "both versions answered calls");
    assert.ok(result.okTransfers > 0, "some transfers moved money");
    assert.equal(result.catalog.activations.length, result.flips + 1, "one activation per flip, plus the first");
  }));
