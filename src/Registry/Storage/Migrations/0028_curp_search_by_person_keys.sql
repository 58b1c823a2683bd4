-- persons.curp had an index only the search's CURP filter used. A golden-record refresh that gives a
-- person its first CURP (a record without one, then one with it: a quarter of the persons of several
-- records in the resolve benchmark) changed an indexed column, so the UPDATE could not be HOT: a new
-- tuple and new entries in every index of persons, the name GIN indexes' ~30 among them. The filter
-- now reads person_keys, which holds every valid CURP the person's records carry ('curp:' || CURP) and
-- follows merges and splits; the golden CURP is one of them (only a valid CURP survives).
DROP INDEX persons_curp;
