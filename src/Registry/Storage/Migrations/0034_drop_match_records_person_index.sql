-- match_records_person (0003) filed every match record under its person: one more B-tree entry per
-- record written under the resolution lock, at a random place in the index whenever the record joins
-- an existing person. Nothing reads match records by person any more: the candidate index reads them
-- by seq, merges and splits move them by source record, and the steward's CURP check now reaches them
-- through source_records_person. Inserting 2,000 match records of existing persons into a 1M registry
-- took ~17.5 ms with the index and ~7.5 ms without it (in isolation, rolled back).
DROP INDEX match_records_person;
