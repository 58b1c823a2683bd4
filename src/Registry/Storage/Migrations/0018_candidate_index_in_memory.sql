-- Candidates are found in each resolving process's in-memory blocking index (CandidateIndex),
-- kept exact through match_records.seq (0014) and built from the code's own blocking keys. The
-- stored blocks were derived data: writing them was ~12 % of the database's time per chunk and
-- the candidate query over them another ~14 %. Nothing else reads them.
DROP TABLE match_blocks;
DROP TABLE match_block_scheme;
