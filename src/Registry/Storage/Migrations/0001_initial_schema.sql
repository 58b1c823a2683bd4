-- 0001: the master registry's first shape.
-- Natural keys + unique indexes make every write idempotent (ON CONFLICT DO NOTHING), so a
-- redelivered message or a re-parsed file changes no count.

-- One row per distinct file content per feed. Re-sending the same bytes hits UNIQUE (feed_code, sha256).
CREATE TABLE extracts (
    id              uuid PRIMARY KEY,
    feed_code       text        NOT NULL,
    agency_code     text        NOT NULL,
    sector          text        NOT NULL,
    file_name       text        NOT NULL,
    sha256          text        NOT NULL,
    size_bytes      bigint      NOT NULL,
    archive_path    text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('received', 'parsing', 'queued', 'resolved', 'rejected')),
    error           text,
    rows_total      int,
    rows_accepted   int,
    rows_rejected   int,
    rows_resolved   int         NOT NULL DEFAULT 0,
    chunks_total    int,
    received_at     timestamptz NOT NULL DEFAULT now(),
    parsed_at       timestamptz,
    resolved_at     timestamptz,
    UNIQUE (feed_code, sha256),
    CHECK (rows_total IS NULL OR rows_total = rows_accepted + rows_rejected)
);

-- Every file that arrived, including duplicates of an earlier extract (audit of what agencies sent).
CREATE TABLE extract_receipts (
    id          bigserial PRIMARY KEY,
    extract_id  uuid        NOT NULL REFERENCES extracts (id),
    file_name   text        NOT NULL,
    duplicate   boolean     NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rejected_rows (
    extract_id uuid NOT NULL REFERENCES extracts (id),
    row_number int  NOT NULL,
    reason     text NOT NULL,
    raw_line   text,
    PRIMARY KEY (extract_id, row_number)
);

-- A chunk is applied at most once: its row here is inserted in the same transaction as its effects.
CREATE TABLE extract_chunks (
    extract_id  uuid        NOT NULL REFERENCES extracts (id),
    chunk_index int         NOT NULL,
    first_row   int         NOT NULL,
    last_row    int         NOT NULL,
    rows        int         NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (extract_id, chunk_index)
);

CREATE TABLE persons (
    id                      uuid PRIMARY KEY,
    curp                    text,
    given_names             text,
    paternal_surname        text,
    maternal_surname        text,
    sex                     text,
    birth_date              date,
    -- Lineage of the golden record: the source record its fields were taken from.
    golden_source_record_id uuid        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_curp ON persons (curp);

-- Identity keys (valid CURP, agency person id, ...). The primary key is what keeps concurrent
-- consumers from creating two persons for one identity.
CREATE TABLE person_keys (
    key       text PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX person_keys_person ON person_keys (person_id);

CREATE TABLE source_records (
    id           uuid PRIMARY KEY,
    extract_id   uuid NOT NULL REFERENCES extracts (id),
    row_number   int  NOT NULL,
    feed_code    text NOT NULL,
    agency_code  text NOT NULL,
    content_hash text NOT NULL,
    person_id    uuid NOT NULL REFERENCES persons (id),
    data         jsonb NOT NULL,
    UNIQUE (extract_id, row_number)
);
CREATE INDEX source_records_person ON source_records (person_id);

-- Why each source record was linked to its person (hard rule 3: explainable matching).
CREATE TABLE match_decisions (
    source_record_id uuid PRIMARY KEY REFERENCES source_records (id),
    person_id        uuid        NOT NULL REFERENCES persons (id),
    rule             text        NOT NULL,
    matched_key      text,
    created_person   boolean     NOT NULL,
    model_version    text        NOT NULL,
    decided_by       text        NOT NULL DEFAULT 'machine',
    decided_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE households (
    id                      uuid PRIMARY KEY,
    first_source_record_id  uuid        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE household_keys (
    key          text PRIMARY KEY,
    household_id uuid NOT NULL REFERENCES households (id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE household_members (
    household_id     uuid NOT NULL REFERENCES households (id),
    person_id        uuid NOT NULL REFERENCES persons (id),
    relationship     text,
    valid_from       date,
    valid_to         date,
    source_record_id uuid NOT NULL REFERENCES source_records (id),
    PRIMARY KEY (household_id, person_id)
);
CREATE INDEX household_members_person ON household_members (person_id);

-- Service metadata only (hard rule 4): agency, sector, programme, date, status; no clinical detail.
CREATE TABLE service_events (
    id               uuid PRIMARY KEY,
    source_record_id uuid NOT NULL UNIQUE REFERENCES source_records (id),
    person_id        uuid NOT NULL REFERENCES persons (id),
    agency_code      text NOT NULL,
    sector           text NOT NULL,
    programme        text,
    service_type     text,
    service_date     date,
    status           text
);
CREATE INDEX service_events_person ON service_events (person_id, service_date);
