SET LOCAL jit = off;
-- The chunk's rows as its attachments need them (the identity phase's staging tables were dropped at its commit).
CREATE TEMP TABLE stage_rows (
    source_record_id uuid NOT NULL, row_number int NOT NULL, household_key text, relationship text,
    programme text, service_type text, service_date date, service_status text, service_event_id uuid
) ON COMMIT DROP;
-- Each live row's person as its source record says now — after this chunk's merges and any merge or split committed
-- since (they hold the attachments lock too, so none is half-way) — and the record version it supersedes.
CREATE TEMP TABLE stage_decisions (row_number int PRIMARY KEY, person_id uuid NOT NULL, prev_id uuid) ON COMMIT DROP
