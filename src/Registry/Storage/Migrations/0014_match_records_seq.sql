-- Every write of a match record (a new record, or its person changed by a merge or a split) takes
-- the next value of one sequence. Writers hold the resolution lock until they commit, so the
-- sequence follows commit order: a resolver reads most of its candidates before it takes the lock,
-- notes the highest seq it could see, and under the lock reads only the records written since.
-- Records from before this migration keep NULL (older than every seq).
CREATE SEQUENCE match_records_seq;
ALTER TABLE match_records ADD COLUMN seq bigint;
ALTER TABLE match_records ALTER COLUMN seq SET DEFAULT nextval('match_records_seq');
CREATE INDEX match_records_by_seq ON match_records (seq);
