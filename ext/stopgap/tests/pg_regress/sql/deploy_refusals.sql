-- deploy refusals: what a deploy refuses, with which SQLSTATE, and what it leaves behind.
-- Problems of the request (label, names, schemas) leave no trace; problems of the schema's
-- content (empty, overloads, wrong shape) are recorded as failed deployments.
\set SHOW_CONTEXT never
\set VERBOSITY default
CREATE SCHEMA refusals_src;
CREATE FUNCTION refusals_src.ok(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => ({ ok: true }) $$;
SELECT stopgap.deploy('refusals', 'refusals_src', 'v1') AS v1 \gset

-- a reused label (42710)
\set VERBOSITY terse
SELECT stopgap.deploy('refusals', 'refusals_src', 'v1');
\set VERBOSITY default
-- an unknown source schema (3F000)
SELECT stopgap.deploy('refusals', 'no_such_schema', 'v2');
-- an invalid environment name (22023)
SELECT stopgap.deploy('Prod!', 'refusals_src', 'v2');
-- a blank label (22023)
SELECT stopgap.deploy('refusals', 'refusals_src', '  ');
-- none of these created a deployment
SELECT count(*) AS deployments FROM stopgap.deployment WHERE env = 'refusals';

-- an empty source schema (22023), recorded as failed
CREATE SCHEMA refusals_empty;
\set VERBOSITY terse
SELECT stopgap.deploy('refusals', 'refusals_empty', 'empty');
-- overloaded names (42725), recorded as failed
CREATE SCHEMA refusals_overloads;
CREATE FUNCTION refusals_overloads.f(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION refusals_overloads.f(a int) RETURNS int LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION refusals_overloads.g(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION refusals_overloads.g(args json) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
SELECT stopgap.deploy('refusals', 'refusals_overloads', 'overloads');
\set VERBOSITY default
-- plts functions of another shape (42P13), each named in DETAIL; recorded as failed
CREATE SCHEMA refusals_shapes;
CREATE FUNCTION refusals_shapes.two_args(a int, b int) RETURNS int LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION refusals_shapes.wrong_name(input jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
CREATE FUNCTION refusals_shapes.definer(args jsonb) RETURNS jsonb LANGUAGE plts SECURITY DEFINER AS $$ export default () => 1 $$;
CREATE FUNCTION refusals_shapes.fine(args jsonb) RETURNS jsonb LANGUAGE plts AS $$ export default () => 1 $$;
\set VERBOSITY terse
SELECT stopgap.deploy('refusals', 'refusals_shapes', 'shapes');
\set VERBOSITY default
SELECT failure ->> 'detail' AS named_functions FROM stopgap.deployment WHERE env = 'refusals' AND label = 'shapes';

-- the failed attempts are recorded; v1 still serves
SELECT label, status, failure ->> 'sqlstate' AS sqlstate FROM stopgap.deployment WHERE env = 'refusals' ORDER BY id;
SELECT active_deployment_id = :v1 AS v1_active FROM stopgap.environment WHERE env = 'refusals';
SELECT live_refusals.ok('{}');
