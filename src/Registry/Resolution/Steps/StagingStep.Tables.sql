SET LOCAL jit = off;
-- A chunk's candidate pairs (tens of thousands) are deduplicated in memory rather than on disk.
SET LOCAL work_mem = '64MB';
CREATE TEMP TABLE stage_rows (
    source_record_id uuid NOT NULL, row_number int NOT NULL, record_key text NOT NULL, content_hash text NOT NULL,
    curp_key text, agency_key text, household_key text,
    curp text, relationship text, programme text, service_type text, service_date date, service_status text,
    service_event_id uuid, data jsonb NOT NULL,
    -- The row's golden record were it a person on its own (computed and parsed before the lock).
    golden json, g_curp text, g_given text, g_paternal text, g_maternal text, g_sex text, g_birth text, g_anchor uuid,
    -- What a reader without a sensitive-sector grant sees of it (persons.restricted_*).
    r_view text, r_golden json, r_name_seen boolean
) ON COMMIT DROP;
CREATE TEMP TABLE stage_match (
    row_number int NOT NULL, valid_curp text, invalid_curp text, given_key text NOT NULL, given_significant text NOT NULL,
    given_phonetic text NOT NULL, paternal_key text, paternal_phonetic text, maternal_key text, maternal_phonetic text,
    birth_date date, sex char(1), postal_code text, municipality text, phone text, name_from_full_name boolean NOT NULL,
    other_id text, street_key text, colonia text
) ON COMMIT DROP;
-- One row per live row (the unchanged ones left stage_rows): what is known of it under the lock, and the decision.
CREATE TEMP TABLE stage_decisions (
    row_number int PRIMARY KEY, matched_key text, prev_id uuid, prev_version int, person_id uuid NOT NULL, created_person boolean NOT NULL, rule text NOT NULL,
    score double precision, evidence json, matched_source_record_id uuid,
    golden json, g_curp text, g_given text, g_paternal text, g_maternal text, g_sex text, g_birth text, g_anchor uuid,
    -- What a reader without a sensitive-sector grant sees of it (persons.restricted_*).
    r_view text, r_golden json, r_name_seen boolean
) ON COMMIT DROP;
CREATE TEMP TABLE stage_unchanged (row_number int NOT NULL, source_record_id uuid NOT NULL) ON COMMIT DROP
