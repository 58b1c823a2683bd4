-- 0006: who read what (append-only access log) and the indexes behind search and the household 360.

-- Every read of a person, household or lineage (hard rule 4). Rows are only ever added:
-- the trigger below refuses UPDATE, DELETE and TRUNCATE for every role, the owner included.
CREATE TABLE access_log (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    subject     text        NOT NULL,  -- who: the user name from the token / cookie
    role        text        NOT NULL,  -- their role(s) at the time, comma-separated
    agency_code text,                  -- for agency users
    kind        text        NOT NULL CHECK (kind IN ('person', 'household', 'lineage-person', 'lineage-household',
                                                     'lineage-service-event', 'search', 'review-queue', 'review-task',
                                                     'identity-events')),
    target_id   uuid,                  -- the person / household / service event read (null for a search)
    purpose     text,                  -- X-Purpose header or the purpose chosen in the UI
    detail      text                   -- e.g. which search criteria were used (never their values)
);
CREATE INDEX access_log_at ON access_log (at DESC, id DESC);
CREATE INDEX access_log_target ON access_log (target_id, at DESC);
CREATE INDEX access_log_subject ON access_log (subject, at DESC);

CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();

-- Search: names folded the way src/Registry/Normalization folds them (upper case, accents
-- stripped, Ñ→N, punctuation → space, particles DE/DEL/LA/LAS/LOS/Y/VAN/VON/DA/DI dropped).
-- The query side uses the C# normaliser itself; this is the stored side until the resolver
-- writes a normalised name table of its own.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION registry_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT btrim(regexp_replace(
               regexp_replace(
                   ' ' || regexp_replace(translate(upper(value), 'ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜÑÇ', 'AAAAEEEEIIIIOOOOUUUUNC'), '[^A-Z0-9]+', ' ', 'g') || ' ',
                   ' ((DE|DEL|LA|LAS|LOS|Y|VAN|VON|DA|DI) )+', ' ', 'g'),
               ' +', ' ', 'g'))
$$;

CREATE FUNCTION registry_person_name(given_names text, paternal text, maternal text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT registry_fold(concat_ws(' ', given_names, paternal, maternal))
$$;

-- Stored, so the trigram index's recheck and the ranking read a column instead of re-running
-- the regular expressions for every candidate (a 10x difference at 1M persons).
ALTER TABLE persons ADD COLUMN search_name text
    GENERATED ALWAYS AS (registry_person_name(given_names, paternal_surname, maternal_surname)) STORED;
CREATE INDEX persons_name_trgm ON persons USING gin (search_name gin_trgm_ops);
-- Blocking for name search: persons sharing two whole words with the query (RegistrySearch).
CREATE INDEX persons_name_words ON persons USING gin (string_to_array(search_name, ' '));

-- Territory (case-manager scope and search by municipality / polígono) and address search read
-- the fields each agency sent (source_records.data, the SourceRow as JSON: PascalCase keys).
CREATE FUNCTION registry_address(data jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT registry_fold(concat_ws(' ', data ->> 'Street', data ->> 'HouseNumber', data ->> 'Colonia', data ->> 'PostalCode'))
$$;
CREATE INDEX source_records_municipality ON source_records (registry_fold(data ->> 'Municipality'), person_id);
CREATE INDEX source_records_poligono ON source_records (registry_fold(data ->> 'Poligono'), person_id)
    WHERE data ->> 'Poligono' IS NOT NULL;
CREATE INDEX source_records_address_trgm ON source_records USING gin (registry_address(data) gin_trgm_ops)
    WHERE data ->> 'Street' IS NOT NULL OR data ->> 'Colonia' IS NOT NULL;

-- Household 360: members of a household, and the live service events of a person.
CREATE INDEX household_members_household ON household_members (household_id, person_id);

-- A case manager's municipalities, folded once per query.
CREATE FUNCTION registry_fold_all(value text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(registry_fold(v)), '{}') FROM unnest(value) v
$$;
