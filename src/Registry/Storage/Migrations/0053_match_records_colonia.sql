-- The colonia is compared by matching (issue 27, sparse records): a community kitchen's list and a housing census
-- both write down the neighbourhood where neither has the other's street, postal code or phone, and a full name plus
-- its colonia is what a neighbour would go by. A compact key (settlement word and particles dropped,
-- Addresses.ColoniaKey). Records stored before have none: the comparison sees "missing" and adds nothing, and the
-- colonia's frequency (term_frequencies, field 'colonia') counts only records resolved from now on.
ALTER TABLE match_records ADD COLUMN colonia text;
