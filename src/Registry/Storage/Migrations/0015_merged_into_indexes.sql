-- A merge redirects the merged person and every person already redirected to it
-- (UPDATE persons … WHERE id = @merged OR merged_into = @merged); households likewise. Without an
-- index on merged_into that is a scan of the whole table per merge: ~100 ms at 600k persons, and
-- at 1M records the bench's few hundred machine merges cost more than all the chunk's inserts.
-- Partial: only redirected rows are indexed, so live persons cost nothing to insert.
CREATE INDEX persons_merged_into ON persons (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX households_merged_into ON households (merged_into) WHERE merged_into IS NOT NULL;
