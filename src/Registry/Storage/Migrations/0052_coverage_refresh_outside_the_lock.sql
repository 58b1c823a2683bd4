-- Coverage refreshed after the writer's commit, not at it (issue 29 on issue 26's lock).
--
-- 0050 refreshed the coverage of the households a transaction touched from a deferred trigger at its commit: for the
-- resolver that is the identity phase's commit, under the resolution lock, so every chunk held the lock for the
-- refresh of its ~2,000 households (seconds) and every other chunk and steward waited. Now the triggers only mark
-- households dirty (coverage_dirty, each mark numbered), and registry_coverage_refresh_pending refreshes them later,
-- in its own transaction: the workers call it in each chunk's completion (outside the lock, before the chunk counts
-- as complete, so an extract reported resolved has its coverage current) and every few seconds for what stewards
-- changed. A mark is removed only if no writer marked the household again meanwhile (the numbers still match): a
-- change committed during a refresh is refreshed again by the next one, never lost.
--
-- Also: 0050 and 0051 each restated the access log's kinds without the other's ('coverage', 'dci-*').

ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv',
    'match-models', 'match-model-promotion', 'row-warnings-csv', 'fhir-patient', 'fhir-match', 'dci-search', 'dci-notify',
    'coverage'));

DROP TRIGGER coverage_dirty_flush ON coverage_dirty;
DROP FUNCTION registry_coverage_flush();

CREATE SEQUENCE coverage_dirty_mark;
ALTER TABLE coverage_dirty ADD COLUMN mark bigint NOT NULL DEFAULT nextval('coverage_dirty_mark');

CREATE OR REPLACE FUNCTION registry_coverage_mark(p_households uuid[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO coverage_dirty (household_id)
    SELECT DISTINCT h FROM unnest(p_households) h WHERE h IS NOT NULL ORDER BY 1
    ON CONFLICT (household_id) DO UPDATE SET mark = nextval('coverage_dirty_mark')
$$;

-- Refreshes up to p_limit dirty households (oldest marks first); returns how many it took.
CREATE FUNCTION registry_coverage_refresh_pending(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
    marks bigint[];
BEGIN
    -- One refresher at a time (registry_coverage_refresh takes the same lock): each reads the facts the last one wrote.
    PERFORM pg_advisory_xact_lock(290050);
    SELECT array_agg(household_id), array_agg(mark) INTO ids, marks
      FROM (SELECT household_id, mark FROM coverage_dirty ORDER BY mark LIMIT p_limit) d;
    IF ids IS NULL THEN RETURN 0; END IF;
    PERFORM registry_coverage_refresh(ids);
    DELETE FROM coverage_dirty d USING unnest(ids, marks) AS x(household_id, mark)
     WHERE d.household_id = x.household_id AND d.mark = x.mark;
    RETURN cardinality(ids);
END $$;
