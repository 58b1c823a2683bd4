-- Coverage marks appended, never updated: concurrent writers no longer deadlock on them.
--
-- 0052 kept one coverage_dirty row per household and renumbered it on every new mark (INSERT … ON CONFLICT DO
-- UPDATE). A transaction marks households from several statement triggers (memberships, service events,
-- territories), each call sorted but the calls in its own order, so two chunks touching the same households
-- locked the same rows in different orders and PostgreSQL broke the cycle with a deadlock error (the chunk was
-- retried, nothing was lost, but every benchmark run logged some). Now each mark is a row of its own: inserting
-- takes no lock another writer waits for. The refresh takes the oldest marks, refreshes their households and
-- deletes exactly the rows it read — a mark committed meanwhile is another row, left for the next refresh, so a
-- change is still never lost.

ALTER TABLE coverage_dirty DROP CONSTRAINT coverage_dirty_pkey;
CREATE INDEX coverage_dirty_by_mark ON coverage_dirty (mark);
CREATE INDEX coverage_dirty_by_household ON coverage_dirty (household_id);

CREATE OR REPLACE FUNCTION registry_coverage_mark(p_households uuid[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO coverage_dirty (household_id)
    SELECT DISTINCT h FROM unnest(p_households) h WHERE h IS NOT NULL
$$;

-- Refreshes the households of the oldest marks, up to p_limit households; returns how many it took.
CREATE OR REPLACE FUNCTION registry_coverage_refresh_pending(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
    marks bigint[];
    households uuid[];
BEGIN
    -- One refresher at a time (registry_coverage_refresh takes the same lock): each reads the facts the last one wrote.
    PERFORM pg_advisory_xact_lock(290050);
    SELECT array_agg(DISTINCT household_id) INTO households
      FROM (SELECT household_id FROM coverage_dirty ORDER BY mark LIMIT p_limit) oldest;
    IF households IS NULL THEN RETURN 0; END IF;
    -- Every mark of those households as this statement sees them: the ones deleted below.
    SELECT array_agg(household_id), array_agg(mark) INTO ids, marks
      FROM coverage_dirty WHERE household_id = ANY (households);
    PERFORM registry_coverage_refresh(households);
    DELETE FROM coverage_dirty d USING unnest(ids, marks) AS x(household_id, mark)
     WHERE d.household_id = x.household_id AND d.mark = x.mark;
    RETURN cardinality(households);
END $$;
