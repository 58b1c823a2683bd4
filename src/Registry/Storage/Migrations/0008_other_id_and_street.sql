-- Two more fields compared by matching: another personal identifier the agency holds (NSS, cédula,
-- a benchmark's soc_sec_id; evidence, never a key by itself) and the street with house number
-- (household evidence, capped with postal code, municipality and phone). Records stored before have
-- neither: the comparison sees "missing" and adds nothing.
ALTER TABLE match_records ADD COLUMN other_id text, ADD COLUMN street_key text;
