-- 0003: probabilistic identity resolution (Fellegi–Sunter), review tasks, append-only merges and
-- splits with stable person ids, and golden records with per-field lineage.

-- The matcher's memory: each source record's normalised identity fields, computed once on arrival.
CREATE TABLE match_records (
    source_record_id    uuid PRIMARY KEY REFERENCES source_records (id),
    person_id           uuid    NOT NULL REFERENCES persons (id),
    valid_curp          text,
    invalid_curp        text,
    given_key           text    NOT NULL,
    given_significant   text    NOT NULL,
    given_phonetic      text    NOT NULL,
    paternal_key        text,
    paternal_phonetic   text,
    maternal_key        text,
    maternal_phonetic   text,
    birth_date          date,
    sex                 char(1),
    postal_code         text,
    municipality        text,
    phone               text,
    name_from_full_name boolean NOT NULL DEFAULT false
);
CREATE INDEX match_records_person ON match_records (person_id);

-- Blocking index: a candidate must share at least one key with the incoming record.
CREATE TABLE match_blocks (
    block_key        text NOT NULL,
    source_record_id uuid NOT NULL
);
CREATE INDEX match_blocks_key ON match_blocks (block_key);

-- How common each name value is (term-frequency adjustment: MARÍA GARCÍA is weak evidence).
-- value '' holds the number of records that had the field at all.
CREATE TABLE term_frequencies (
    field text   NOT NULL,
    value text   NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (field, value)
);

-- Fellegi–Sunter parameters. The newest row is the model in use; EM training appends rows.
CREATE TABLE match_models (
    version      text PRIMARY KEY,
    parameters   jsonb       NOT NULL,
    trained_on   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Every link now explains itself: the score, per-field evidence and thresholds it was decided with.
ALTER TABLE match_decisions
    ADD COLUMN score                    double precision,
    ADD COLUMN evidence                 jsonb,
    ADD COLUMN link_threshold           double precision,
    ADD COLUMN review_threshold         double precision,
    ADD COLUMN matched_source_record_id uuid;

-- Stable person ids: a merged person keeps its row and redirects to the survivor.
ALTER TABLE persons
    ADD COLUMN merged_into uuid REFERENCES persons (id),
    ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();

-- Golden record: each field's value with the source record (and rule) it survived from, as one
-- document per person ({"curp": {"value", "sourceRecordId", "rule"}, ...}); the display columns
-- above are copies of it for search.
ALTER TABLE persons ADD COLUMN golden jsonb;

-- Uncertain pairs for stewards. The record stays where the certain evidence put it until decided.
CREATE TABLE review_tasks (
    id                  uuid PRIMARY KEY,
    source_record_id    uuid        NOT NULL REFERENCES source_records (id),
    candidate_person_id uuid        NOT NULL REFERENCES persons (id),
    score               double precision NOT NULL,
    evidence            jsonb       NOT NULL,
    reason              text        NOT NULL,
    model_version       text        NOT NULL,
    status              text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'match', 'non-match')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    decided_by          text,
    decided_at          timestamptz,
    decision_reason     text,
    UNIQUE (source_record_id, candidate_person_id)
);
CREATE INDEX review_tasks_open ON review_tasks (created_at) WHERE status = 'open';

-- Merges, splits and steward decisions: append-only (hard rule 2). The trigger refuses edits.
CREATE TABLE identity_events (
    id                bigserial PRIMARY KEY,
    kind              text        NOT NULL CHECK (kind IN ('merge', 'split', 'review-match', 'review-non-match')),
    person_id         uuid        NOT NULL REFERENCES persons (id),
    other_person_id   uuid        REFERENCES persons (id),
    source_record_ids uuid[]      NOT NULL DEFAULT '{}',
    bridging_record   uuid,
    score             double precision,
    evidence          jsonb,
    model_version     text,
    decided_by        text        NOT NULL,
    reason            text        NOT NULL,
    review_task_id    uuid,
    at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identity_events_person ON identity_events (person_id);
CREATE INDEX identity_events_other ON identity_events (other_person_id);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER identity_events_append_only BEFORE UPDATE OR DELETE ON identity_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A steward's "different persons" (a non-match decision or a split): the machine never joins them again.
CREATE TABLE person_exclusions (
    person_a uuid   NOT NULL REFERENCES persons (id),
    person_b uuid   NOT NULL REFERENCES persons (id),
    event_id bigint NOT NULL REFERENCES identity_events (id),
    PRIMARY KEY (person_a, person_b)
);

-- Households merge too (members overlap and addresses agree); ids stay stable the same way.
ALTER TABLE households ADD COLUMN merged_into uuid REFERENCES households (id);

-- Golden records read a person's current versions: "no newer version supersedes it".
CREATE INDEX source_records_supersedes ON source_records (supersedes) WHERE supersedes IS NOT NULL;

-- Household merges (members overlap and addresses agree, or a steward) and splits, append-only like identity events.
CREATE TABLE household_events (
    id                  bigserial PRIMARY KEY,
    kind                text        NOT NULL CHECK (kind IN ('merge', 'split')),
    household_id        uuid        NOT NULL REFERENCES households (id),
    other_household_id  uuid        NOT NULL REFERENCES households (id),
    shared_members      uuid[]      NOT NULL,
    reason              text        NOT NULL,
    decided_by          text        NOT NULL,
    at                  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER household_events_append_only BEFORE UPDATE OR DELETE ON household_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE INDEX household_keys_household ON household_keys (household_id);
