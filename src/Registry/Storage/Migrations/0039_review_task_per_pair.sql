-- 0039: a review queue stewards can keep up with (issue 24, point 4).
-- One open task per unordered pair of persons (person_a < person_b, both current: merged ids are
-- followed to the survivor), not one per record: every record that asks about the same two persons
-- adds its evidence to the pair's task (review_task_records) instead of opening another. The task's
-- own score, evidence, source record and candidate are the best evidence so far.
-- Tasks are settled by the machine, with an identity event saying why, when later evidence decides
-- them (the two persons merged; both carry different valid CURPs; a steward decided the same pair).
-- The queue is ordered by a priority written with the task (score band, household size, sensitive
-- sectors), so a page of the queue is an index scan.

ALTER TABLE review_tasks
    ADD COLUMN person_a         uuid,
    ADD COLUMN person_b         uuid,
    -- How many records asked about this pair (rows of review_task_records).
    ADD COLUMN records          int     NOT NULL DEFAULT 1,
    -- How close the best score is to the link threshold: 0 at the review threshold, 1 at or above the link
    -- threshold (a link a guard refused). Kept rather than the thresholds so a fold needs no model.
    ADD COLUMN band             double precision NOT NULL DEFAULT 0,
    -- Current members of the households of both persons, and whether either has a service of a sensitive
    -- sector (health, security): a false merge there shows more, and more harmful, services to the wrong family.
    ADD COLUMN household_members int    NOT NULL DEFAULT 0,
    ADD COLUMN sensitive        boolean NOT NULL DEFAULT false,
    -- Expected impact, highest first: up to 60 for the band, 2 a household member up to 10 members, 20 for a sensitive sector.
    ADD COLUMN priority         double precision GENERATED ALWAYS AS
        (60 * band + 2 * least(household_members, 10) + CASE WHEN sensitive THEN 20 ELSE 0 END) STORED,
    -- Settled by the machine: why ('merged', 'different-valid-curps', 'steward-different-persons'), and the
    -- identity event that decided the pair (the merge or the steward's decision; null for CURPs).
    ADD COLUMN settlement       text CHECK (settlement IN ('merged', 'different-valid-curps', 'steward-different-persons', 'same-pair')),
    ADD COLUMN settled_by_event bigint,
    -- A task folded into the open task of the same pair (its records moved there): the queue keeps one.
    ADD COLUMN folded_into      uuid;

ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_status_check;
ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_status_check
    CHECK (status IN ('open', 'match', 'non-match', 'settled', 'folded'));

-- The machine's settlement of a review task is an identity event of its own (who: the machine, or the
-- steward whose merge or decision settled it; why; which task).
ALTER TABLE identity_events DROP CONSTRAINT identity_events_kind_check;
ALTER TABLE identity_events ADD CONSTRAINT identity_events_kind_check
    CHECK (kind IN ('merge', 'split', 'review-match', 'review-non-match', 'review-settled'));

-- Every record that asked about a pair, with its own score and evidence (what review_tasks held one row
-- each before). The primary key is the proposal itself (record, candidate as proposed), so records keep
-- their identity when their task is folded into another.
CREATE TABLE review_task_records (
    source_record_id    uuid        NOT NULL,
    candidate_person_id uuid        NOT NULL,
    task_id             uuid        NOT NULL REFERENCES review_tasks (id),
    score               double precision NOT NULL,
    evidence            json        NOT NULL,
    reason              text        NOT NULL,
    model_version       text        NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_record_id, candidate_person_id)
);
CREATE INDEX review_task_records_task ON review_task_records (task_id);

INSERT INTO review_task_records (source_record_id, candidate_person_id, task_id, score, evidence, reason, model_version, created_at)
SELECT source_record_id, candidate_person_id, id, score, evidence, reason, model_version, created_at FROM review_tasks;

-- Backfill: the pair of every task as the persons stand now, its band from the thresholds its record was
-- decided with, and for open tasks the impact.
UPDATE review_tasks t
   SET person_a = least(x.record_person, x.candidate), person_b = greatest(x.record_person, x.candidate),
       band = x.band
  FROM (SELECT t2.id, coalesce(rp.merged_into, rp.id) AS record_person, coalesce(cp.merged_into, cp.id) AS candidate,
               CASE WHEN t2.score >= coalesce(d.link_threshold, 20) THEN 1
                    ELSE greatest(0, (t2.score - coalesce(d.review_threshold, 14)) / nullif(coalesce(d.link_threshold, 20) - coalesce(d.review_threshold, 14), 0)) END AS band
          FROM review_tasks t2
          JOIN source_records sr ON sr.id = t2.source_record_id
          JOIN persons rp ON rp.id = sr.person_id
          JOIN persons cp ON cp.id = t2.candidate_person_id
          LEFT JOIN match_decisions d ON d.source_record_id = t2.source_record_id) x
 WHERE t.id = x.id;

UPDATE review_tasks t
   SET household_members = (SELECT count(DISTINCT m2.person_id) FROM household_members m1
                              JOIN household_members m2 ON m2.household_id = m1.household_id AND m2.valid_to IS NULL
                             WHERE m1.person_id IN (t.person_a, t.person_b) AND m1.valid_to IS NULL),
       sensitive = EXISTS (SELECT 1 FROM service_events se WHERE se.person_id IN (t.person_a, t.person_b) AND se.sector IN ('health', 'security'))
 WHERE t.status = 'open';

-- Open tasks the registry has decided meanwhile are settled, each with its identity event.
WITH settled AS (
    UPDATE review_tasks t
       SET status = 'settled', decided_by = 'machine', decided_at = now(),
           settlement = CASE WHEN t.person_a = t.person_b THEN 'merged'
                             WHEN EXISTS (SELECT 1 FROM person_exclusions x WHERE x.person_a = t.person_a AND x.person_b = t.person_b) THEN 'steward-different-persons'
                             ELSE 'different-valid-curps' END,
           decision_reason = CASE WHEN t.person_a = t.person_b THEN 'settled: the two persons were merged'
                                  WHEN EXISTS (SELECT 1 FROM person_exclusions x WHERE x.person_a = t.person_a AND x.person_b = t.person_b)
                                      THEN 'settled: a steward decided these are different persons'
                                  ELSE 'settled: the two persons carry different valid CURPs' END,
           settled_by_event = (SELECT x.event_id FROM person_exclusions x WHERE x.person_a = t.person_a AND x.person_b = t.person_b)
     WHERE t.status = 'open'
       AND (t.person_a = t.person_b
            OR EXISTS (SELECT 1 FROM person_exclusions x WHERE x.person_a = t.person_a AND x.person_b = t.person_b)
            OR (t.band < 1 AND EXISTS (SELECT 1 FROM person_keys ka JOIN person_keys kb ON kb.person_id = t.person_b AND kb.key LIKE 'curp:%' AND kb.key <> ka.key
                                        WHERE ka.person_id = t.person_a AND ka.key LIKE 'curp:%')))
    RETURNING t.id, t.person_a, t.person_b, t.candidate_person_id, t.decision_reason)
-- For a pair merged meanwhile the other person is the candidate as the task named it (merged into person_a).
INSERT INTO identity_events (kind, person_id, other_person_id, decided_by, reason, review_task_id)
SELECT 'review-settled', person_a, CASE WHEN person_a = person_b THEN candidate_person_id ELSE person_b END, 'machine',
       decision_reason || ' (migration 0039)', id
  FROM settled ORDER BY id;

-- Several open tasks of one pair fold into one: the one with the best score keeps the pair, the others'
-- records move to it and they stay (status 'folded', folded_into) so their ids still answer.
CREATE TEMP TABLE review_folds AS
SELECT id, first_value(id) OVER (PARTITION BY person_a, person_b ORDER BY score DESC, created_at, id) AS keeper
  FROM review_tasks WHERE status = 'open';
DELETE FROM review_folds WHERE id = keeper;
UPDATE review_task_records r SET task_id = f.keeper FROM review_folds f WHERE r.task_id = f.id;
UPDATE review_tasks t
   SET records = (SELECT count(*) FROM review_task_records r WHERE r.task_id = t.id),
       sensitive = t.sensitive OR EXISTS (SELECT 1 FROM review_tasks o JOIN review_folds f ON f.id = o.id WHERE f.keeper = t.id AND o.sensitive)
 WHERE t.id IN (SELECT keeper FROM review_folds);
UPDATE review_tasks t
   SET status = 'folded', settlement = 'same-pair', folded_into = f.keeper, decided_by = 'machine', decided_at = now(),
       decision_reason = 'folded into the open task of the same two persons (migration 0039)'
  FROM review_folds f WHERE t.id = f.id;
DROP TABLE review_folds;

-- One open task per pair; the queue in priority order; a person's open tasks by either side.
CREATE UNIQUE INDEX review_tasks_open_pair ON review_tasks (person_a, person_b) WHERE status = 'open';
CREATE INDEX review_tasks_open_b ON review_tasks (person_b) WHERE status = 'open';
CREATE INDEX review_tasks_queue ON review_tasks (priority DESC, created_at, id) WHERE status = 'open';
