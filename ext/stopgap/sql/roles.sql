-- Roles of stopgap. Roles are cluster-wide while the extension is per database, so
-- creating one that another database's install already made is not an error.
--
--   stopgap_owner     NOLOGIN. Owns the catalogs, every live schema and every live function.
--                     Nobody is granted membership: deploy/rollback/prune switch to it
--                     internally after checking the caller (see security.rs).
--   stopgap_deployer  may deploy, roll back, prune and configure environments.
--   stopgap_reader    may read the catalogs, the views and status/deployments/diff.
--   stopgap_app       the default execute role: USAGE on live schemas, EXECUTE on live
--                     functions. Grant it to application login roles, or name another
--                     role per environment with stopgap.configure_environment().
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['stopgap_owner', 'stopgap_deployer', 'stopgap_reader', 'stopgap_app'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object THEN
            NULL;
        END;
    END LOOP;
END
$roles$;

-- A deployer can see what it deploys.
GRANT stopgap_reader TO stopgap_deployer;

-- Live schemas are created on demand by the owner.
DO $db$
BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO stopgap_owner', current_database());
END
$db$;
