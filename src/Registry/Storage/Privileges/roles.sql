-- The hosts' roles, created when missing by Storage/Migrator before the migrations on every run (a test fixture that
-- needs them before migrating runs the same). Each host connects as a role of its own instead of the owner:
--   registry_workers      the workers host: DML on the registry's tables, no DDL, nothing on the access log
--   registry_api          the API host: reads, and may only INSERT into access_log
--   registry_stewardship  what stewards' actions write; the API's steward connections take this role at
--                         connect time (RegistryStorage.StewardshipRole), the API's other connections cannot
--                         use its privileges (registry_api is NOINHERIT)
-- The owner (the role that runs migrations) owns every table, trigger and function; nobody else may
-- alter, disable a trigger of, truncate or drop them. Roles are cluster-wide, so they are created only
-- when missing: several databases (and concurrent test runs) share them. Passwords are set by whoever
-- deploys (deploy/local/services.sh, the compose init script), never here. The privileges themselves
-- are granted after every migration run by grants.sql, so tables of later migrations are covered too.
DO $$
DECLARE
    wanted constant text[][] := ARRAY[
        ARRAY['registry_workers', 'LOGIN NOINHERIT'],
        ARRAY['registry_api', 'LOGIN NOINHERIT'],
        ARRAY['registry_stewardship', 'NOLOGIN NOINHERIT']];
    i int;
BEGIN
    FOR i IN 1 .. array_length(wanted, 1) LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = wanted[i][1]) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I %s', wanted[i][1], wanted[i][2]);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created by a concurrent migration of another database
            END;
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                    WHERE g.rolname = 'registry_stewardship' AND u.rolname = 'registry_api') THEN
        BEGIN
            GRANT registry_stewardship TO registry_api;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END $$;
