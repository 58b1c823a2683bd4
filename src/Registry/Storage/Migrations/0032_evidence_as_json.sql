-- 0032: match evidence stored as json (the text as the resolver wrote it), not jsonb.
-- Every probabilistic link (match_decisions) and every review task carries its per-field evidence,
-- ~550 bytes of numbers and level names, written under the resolution lock: about one document per
-- record at 1M. Parsing one into jsonb's binary form cost ~6.9 µs (its numbers become numerics);
-- json only validates the text (~1.7 µs). Nothing queries inside evidence: the API reads it as text
-- and shows it, so its key order is now the resolver's (the comparison fields in the model's order).
-- identity_events keeps jsonb: a merge or split writes one document, never in bulk.
ALTER TABLE match_decisions ALTER COLUMN evidence TYPE json USING evidence::json;
ALTER TABLE review_tasks ALTER COLUMN evidence TYPE json USING evidence::json;
