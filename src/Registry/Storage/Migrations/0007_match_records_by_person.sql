-- Review settlement reads the birth dates of a task's two persons (ReviewTasks.DatesOf) from the match records by person:
-- the dates are in the index, so an old person's are read from its pages alone (once vacuum has marked the heap's pages
-- all-visible) rather than from a random page of source_records and one of match_records per record.
CREATE INDEX match_records_person ON match_records (person_id) INCLUDE (birth_date);
