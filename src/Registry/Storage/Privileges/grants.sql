-- Privileges of the hosts' roles (roles.sql), applied by Migrator after every migration run,
-- as the owner, so every table a later migration adds is covered without a grant of its own.
-- Rules by pattern: workers may change any registry table; the API reads all and appends to the
-- access log only; stewardship writes the tables stewards' actions touch (listed) and appends to
-- every *_events table (the append-only event logs). Everything else is refused, DDL included:
-- only the owner may CREATE, ALTER, DROP, TRUNCATE or disable a trigger.

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO registry_workers, registry_api, registry_stewardship;
DO $$
BEGIN
    -- Temporary tables (the resolver's and a steward split's staging) are not DDL on the registry.
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO registry_workers, registry_api, registry_stewardship',
                   current_database());
END $$;

-- Workers: rows of every registry table, never the access log; the migration journal read-only.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO registry_workers;
REVOKE ALL ON access_log, schemaversions, data_protection_keys FROM registry_workers;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO registry_workers;

-- API: reads; the access log only grows.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO registry_api;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM registry_api;
GRANT INSERT ON access_log TO registry_api;
GRANT USAGE ON SEQUENCE access_log_id_seq TO registry_api;
-- Its data-protection keys: shared by every API replica.
GRANT INSERT ON data_protection_keys TO registry_api;
GRANT USAGE ON SEQUENCE data_protection_keys_id_seq TO registry_api;
-- The DCI API's exchanges: transactions, subscriptions, callbacks to deliver, the notifier's cursor.
GRANT INSERT, UPDATE ON dci_transactions, dci_subscriptions, dci_callbacks, dci_event_cursor TO registry_api;
-- …and forgets old transactions and finished callbacks (Dci:Retention): stored search results are personal data.
GRANT DELETE ON dci_transactions, dci_callbacks TO registry_api;
GRANT USAGE ON SEQUENCE dci_transactions_id_seq, dci_callbacks_id_seq TO registry_api;

-- Stewardship (decisions on review tasks, person and household merges and splits): what
-- src/Registry/Review/Stewardship.cs, Persons/IdentityWriter.cs, Persons/GoldenRecordWriter.cs and
-- Households/HouseholdMerger.cs and Households/Residence.cs write, including the territory and residence tables
-- their triggers keep.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO registry_stewardship;
GRANT INSERT, UPDATE, DELETE ON persons, person_keys, person_exclusions, person_territories, review_tasks, review_task_records,
    source_records, match_records, service_events, households, household_members, household_keys,
    household_territories, residence_claims, person_residences, territory_excluded_records TO registry_stewardship;
-- A steward's action takes the attachments lock, which first settles the residences of persons chunks created since
-- (ResolutionLock.TakeAttachmentsAsync): it marks those chunks settled.
GRANT UPDATE (residences_at) ON extract_chunks TO registry_stewardship;
-- The households whose coverage a steward's action changed, marked for the workers' refresh.
GRANT INSERT, UPDATE ON coverage_dirty TO registry_stewardship;
GRANT USAGE ON SEQUENCE coverage_dirty_mark TO registry_stewardship;
-- A merge or split moves persons' keys: it logs the persons it changed for resolvers that probed before the lock.
GRANT INSERT ON identity_changes TO registry_stewardship;
GRANT USAGE ON SEQUENCE identity_changes_id_seq TO registry_stewardship;
DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN SELECT c.oid::regclass FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname LIKE '%\_events'
                AND c.relname <> 'service_events' LOOP
        EXECUTE format('GRANT INSERT ON %s TO registry_stewardship', t);
    END LOOP;
END $$;
-- An admin's promotion of a shadow matching model: the status columns only; the
-- event it writes is a *_events row. The parameters and report stay the trainer's.
GRANT UPDATE (status, activated_at, activated_by) ON match_models TO registry_stewardship;
-- The domain events its changes raise (the outbox triggers run as the role that changes the row).
GRANT INSERT ON outbox_events TO registry_stewardship;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO registry_stewardship;
REVOKE ALL ON SEQUENCE access_log_id_seq FROM registry_stewardship;
REVOKE ALL ON access_log FROM registry_stewardship;
REVOKE ALL ON data_protection_keys FROM registry_stewardship;

-- Schemas of the hosts' libraries, installed by the owner during migration (Hangfire's): the
-- workers run jobs in them, the API's dashboard only reads.
DO $$
DECLARE
    s name;
BEGIN
    FOR s IN SELECT nspname FROM pg_namespace
              WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                AND nspname <> 'public' AND nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%' LOOP
        EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', s);
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO registry_workers, registry_api', s);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO registry_workers', s);
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO registry_workers', s);
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO registry_api', s);
    END LOOP;
END $$;

-- The access log's chain head is the owner's alone: its trigger runs as the owner.
-- Reading it lets the verifier (run with a host's connection) see whether the newest entries are missing.
REVOKE ALL ON access_log_chain_head FROM registry_workers, registry_api, registry_stewardship;
GRANT SELECT ON access_log_chain_head TO registry_api;
