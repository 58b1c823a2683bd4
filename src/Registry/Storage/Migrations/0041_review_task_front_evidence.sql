-- A review task is one pair of persons (0039); which record and candidate it shows in front is its best evidence, not its
-- identity (every proposal is a row of review_task_records, keyed by record and candidate). When a merge folds one open
-- task into another, the keeper may take the folded task's evidence, and both then name the same record and candidate:
-- the old one-task-per-record-and-candidate constraint (0003) failed such merges (seen at 1M records: chunks faulted).
ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_source_record_id_candidate_person_id_key;
