-- The search's municipality filter read source_records through an expression index on the folded
-- municipality (migration 0006): registry_fold ran for every inserted record, under the resolution
-- lock, for an index nothing else used (~7 µs a record, a third of the record insert's own cost).
-- The filter now reads person_territories, which the territory triggers keep anyway: a person is in
-- a municipality when an agency reported them there or their household is there — the definition
-- a case manager's access already uses, so the filter and the scope agree.
DROP INDEX source_records_municipality;
