/**
 * Test helper: reads stopgap's catalogs for one environment and fails on any state that a
 * committed deploy or rollback cannot leave behind — used after faults (a deploy terminated or
 * killed mid-flight), after concurrent deploys and at the end of the soak.
 *
 * @module
 */

import assert from "node:assert/strict";
import type postgres from "postgres";

/** What the catalogs hold for one environment, once they are known to be consistent. */
export interface CatalogState {
  /** `stopgap.environment.active_deployment_id`; `null` before the first deploy. */
  activeId: number | null;
  /** Every deployment of the environment, oldest first. */
  deployments: { id: number; label: string; status: string; functions: number }[];
  /** The activation log, oldest first. */
  activations: { action: string; from: number | null; to: number }[];
  /** Rows of `stopgap.fn_version` for the environment's deployments. */
  fnVersions: number;
  /** Rows of `plts.artifact` (the whole database's, not only this environment's). */
  artifacts: number;
}

/**
 * Asserts that the catalogs of `env` are whole and agree with each other:
 *
 * - no deployment is `open` or `sealed` (those statuses exist only inside a deploy's transaction);
 * - every deployment that was ever active has function versions, and its manifest lists exactly them;
 *   a `failed` deployment has none;
 * - the environment points at the one `active` deployment (or at none, and none is active);
 * - the activation log is one chain: each activation starts where the previous one ended, and the
 *   last ends at the active deployment;
 * - each live function of the active deployment is a pointer stub to the artifact its version names.
 *
 * @param sql a client on the database
 * @param env the environment
 * @returns the state read, for further assertions (e.g. that nothing changed)
 */
export async function assertCatalogConsistent(sql: postgres.Sql, env: string): Promise<CatalogState> {
  const [envRow] =
    await sql`select live_schema::text, active_deployment_id from stopgap.environment where env = ${env}`;
  const activeId = envRow?.active_deployment_id == null ? null : Number(envRow.active_deployment_id);
  const deployments = (await sql`
    select d.id, d.label, d.status, d.manifest, count(v.fn_name)::int as functions,
           coalesce(jsonb_agg(jsonb_build_object('name', v.fn_name, 'kind', v.kind, 'artifact_hash', v.artifact_hash)
                    order by v.fn_name) filter (where v.fn_name is not null), '[]') as versions
      from stopgap.deployment d left join stopgap.fn_version v on v.deployment_id = d.id
     where d.env = ${env}
     group by d.id order by d.id`).map((r) => ({
    id: Number(r.id),
    label: r.label as string,
    status: r.status as string,
    manifest: r.manifest as { functions?: { name: string; kind: string; artifact_hash: string }[] } | null,
    functions: r.functions as number,
    versions: r.versions as { name: string; kind: string; artifact_hash: string }[],
  }));

  for (const d of deployments) {
    assert.ok(!["open", "sealed"].includes(d.status), `deployment ${d.id} ("${d.label}") was left ${d.status}`);
    if (d.status === "failed") {
      assert.equal(d.functions, 0, `failed deployment ${d.id} has function versions`);
      continue;
    }
    assert.ok(d.functions > 0, `deployment ${d.id} ("${d.label}", ${d.status}) has no function versions`);
    const listed = [...(d.manifest?.functions ?? [])].sort((a, b) => a.name < b.name ? -1 : 1)
      .map((f) => ({ name: f.name, kind: f.kind, artifact_hash: f.artifact_hash }));
    assert.deepEqual(listed, d.versions, `the manifest of deployment ${d.id} lists other functions than it has`);
  }

  const active = deployments.filter((d) => d.status === "active");
  if (activeId === null) {
    assert.equal(active.length, 0, `no active pointer, yet deployments ${active.map((d) => d.id)} are active`);
  } else {
    assert.deepEqual(active.map((d) => d.id), [activeId], "the active pointer and the active deployment differ");
  }

  const activations = (await sql`
    select action, from_deployment_id, to_deployment_id from stopgap.activation_log where env = ${env} order by id`)
    .map((r) => ({
      action: r.action as string,
      from: r.from_deployment_id == null ? null : Number(r.from_deployment_id),
      to: Number(r.to_deployment_id),
    }));
  let at: number | null = null;
  activations.forEach((a, i) => {
    assert.equal(a.from, at, `activation ${i + 1} (${a.action} to ${a.to}) starts at ${a.from}, not at ${at}`);
    at = a.to;
  });
  assert.equal(at, activeId, "the activation log ends elsewhere than at the active deployment");

  if (activeId !== null) {
    const stubs = await sql`
      select v.fn_name::text, v.artifact_hash, p.prosrc::jsonb ->> 'artifact_hash' as pointed
        from stopgap.fn_version v
        left join pg_proc p on p.proname = v.fn_name
         and p.pronamespace = (select oid from pg_namespace where nspname = ${envRow.live_schema})
       where v.deployment_id = ${activeId}`;
    for (const s of stubs) {
      assert.equal(s.pointed, s.artifact_hash, `live function ${s.fn_name} does not point at the active deployment`);
    }
  }

  const [{ fn_versions, artifacts }] = await sql`
    select (select count(*)::int from stopgap.fn_version v join stopgap.deployment d on d.id = v.deployment_id
             where d.env = ${env}) as fn_versions,
           (select count(*)::int from plts.artifact) as artifacts`;
  return {
    activeId,
    deployments: deployments.map(({ id, label, status, functions }) => ({ id, label, status, functions })),
    activations,
    fnVersions: fn_versions,
    artifacts,
  };
}
