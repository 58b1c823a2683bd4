-- 0042: the golden record a reader without a sensitive-sector grant sees, stored beside the golden record.
--
-- A case manager without the health or security grant may see no value that only such a source supplied
-- (hard rule 4). Until now every search, household page and person page of such a reader worked that out
-- per request: per candidate person an EXISTS over its source records (is any of them visible, does one of
-- them carry the name searched for), per listed person a check of which source each golden field survived
-- from, and, where one was hidden, survivorship recomputed over the visible sources (a second round trip,
-- the records' JSON parsed again). At 1M persons that was most of a lookup's cost.
--
-- The writer of the golden record (src/Registry/Persons/GoldenRecordWriter.cs) now derives that reader's
-- view in the same write (Persons/RestrictedGolden.cs), whatever changed the person's sources:
--   restricted_view      'as-golden'           every golden field survived from a non-sensitive source: shown as is;
--                        'identity-as-golden'  CURP, names and birth date did, another field did not: lists show the
--                                              person's columns, the person page restricted_golden;
--                        'own'                 an identity field did not: restricted_golden everywhere;
--                        'hidden'              no current non-sensitive source: that reader never finds the person;
--                        NULL                  not derived (a row written outside the writer): reads recompute it
--                                              per request, as before.
--   restricted_golden    survivorship over the non-sensitive current sources ('identity-as-golden', 'own').
--   restricted_name_seen a non-sensitive current source carries the golden name: a name search by that reader
--                        needs no look at the person's records.
-- No index: the readers reach persons through the existing name and territory indexes, and an index on
-- these columns would cost the golden refresh its HOT updates.
ALTER TABLE persons
    ADD COLUMN restricted_view text CHECK (restricted_view IN ('as-golden', 'identity-as-golden', 'own', 'hidden')),
    ADD COLUMN restricted_golden json,
    ADD COLUMN restricted_name_seen boolean;

-- Existing persons: survivorship is C#, not SQL, so the views are derived right after the migrations by the
-- same writer (Persons/RestrictedGoldenBackfill.cs, run by Storage/Migrator.cs while this row is not done),
-- in batches, each its own transaction: a run cut short resumes where it stopped. Until a person's view is
-- derived, reads take the per-request path.
CREATE TABLE registry_backfills (
    name text PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz
);
INSERT INTO registry_backfills (name) VALUES ('restricted-golden');
