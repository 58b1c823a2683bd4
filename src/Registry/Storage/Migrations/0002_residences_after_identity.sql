-- A new person's first residence and territory are written under the attachments lock, after the identity phase that
-- created them, rather than by a trigger on match_decisions under the identity lock. No later chunk's decisions read
-- them; only writers of territories do, and each of those takes the attachments lock first, which settles every
-- pending chunk before anything else (ResolutionLock.TakeAttachmentsAsync): so a merge, a residence claim or a
-- steward's action always finds them written, in the order the chunks were resolved.

DROP TRIGGER match_decisions_residence_insert ON match_decisions;
DROP FUNCTION registry_residence_on_decisions();

-- When the chunk's new persons got their residence: NULL from its identity commit until the attachments lock settles it.
ALTER TABLE extract_chunks ADD COLUMN residences_at timestamptz;
UPDATE extract_chunks SET residences_at = applied_at;
CREATE INDEX extract_chunks_residences_pending ON extract_chunks (extract_id, chunk_index) WHERE residences_at IS NULL;

-- The persons created by these records: each lives where the first of its creating records (in id order) says,
-- and that is their first territory (their households follow with the memberships); not a change of anyone's
-- scope, so no event. A person merged since holds nothing of their own; a row already there (a rebuild) stays.
CREATE FUNCTION registry_created_residences(records uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    WITH created AS MATERIALIZED (
        SELECT DISTINCT ON (d.person_id) d.person_id, f.municipality
          FROM unnest(records) AS r(id)
         CROSS JOIN LATERAL (SELECT person_id, created_person FROM match_decisions WHERE source_record_id = r.id LIMIT 1) d
         CROSS JOIN LATERAL (SELECT data ->> 'Municipality' AS spelled FROM source_records WHERE id = r.id LIMIT 1) s
         CROSS JOIN LATERAL (SELECT registry_fold(s.spelled) AS municipality) f
         WHERE d.created_person AND coalesce(f.municipality, '') <> ''
         ORDER BY d.person_id, r.id
    ), live AS MATERIALIZED (
        SELECT c.person_id, c.municipality, p.search_name
          FROM created c CROSS JOIN LATERAL (SELECT search_name, merged_into FROM persons WHERE id = c.person_id LIMIT 1) p
         WHERE p.merged_into IS NULL
    ), residences AS (
        INSERT INTO person_residences (person_id, municipality) SELECT person_id, municipality FROM live
        ON CONFLICT (person_id) DO NOTHING
    )
    INSERT INTO person_territories (person_id, municipality, name_words)
    SELECT person_id, municipality, registry_territory_words(municipality, search_name) FROM live
    ON CONFLICT (person_id, municipality) DO NOTHING;
$$;

-- Every chunk whose identity phase committed and whose new persons have no residence yet: settled now (no two chunks
-- create the same person, so their order does not matter). The caller holds the attachments lock.
CREATE FUNCTION registry_settle_residences() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    ids uuid[];
BEGIN
    WITH pending AS (
        UPDATE extract_chunks SET residences_at = now() WHERE residences_at IS NULL
        RETURNING extract_id, first_row, last_row
    )
    SELECT array_agg(sr.id) INTO ids
      FROM pending c
      JOIN source_records sr ON sr.extract_id = c.extract_id AND sr.row_number BETWEEN c.first_row AND c.last_row;
    IF ids IS NOT NULL THEN
        PERFORM registry_created_residences(ids);
    END IF;
END
$$;

-- Claims about existing persons (a residence-authoritative feed's rows), decided by the identity phase that holds the
-- attachments lock (decided_claims: its temporary table): kept, counted or not; uncounted ones that name another
-- municipality move nobody (auditors see them); the latest counted one per person is their residence.
CREATE FUNCTION registry_apply_residence_claims() RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    moved uuid[];
BEGIN
    WITH claims AS (
        INSERT INTO residence_claims (source_record_id, municipality, counted, note)
        SELECT source_record_id, municipality, counted, note FROM decided_claims
        RETURNING id, source_record_id
    ), judged AS MATERIALIZED (
        SELECT c.id AS claim_id, dc.source_record_id, dc.person_id, dc.municipality, dc.counted, dc.note, cur.municipality AS current
          FROM claims c JOIN decided_claims dc ON dc.source_record_id = c.source_record_id
          LEFT JOIN LATERAL (SELECT municipality FROM person_residences WHERE person_id = dc.person_id LIMIT 1) cur ON true
    ), ignored AS (
        INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, source_record_id, reason)
        SELECT person_id, current, municipality, 'ignored-claim', source_record_id, note
          FROM judged WHERE NOT counted AND municipality IS DISTINCT FROM current
    ), changed AS (
        SELECT * FROM (SELECT DISTINCT ON (person_id) * FROM judged WHERE counted ORDER BY person_id, source_record_id DESC) l
         WHERE l.municipality IS DISTINCT FROM l.current
    ), written AS (
        INSERT INTO person_residences AS pr (person_id, municipality, claim_id)
        SELECT person_id, municipality, claim_id FROM changed
        ON CONFLICT (person_id) DO UPDATE SET municipality = excluded.municipality, claim_id = excluded.claim_id, since = now()
        RETURNING pr.person_id
    ), logged AS (
        INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, source_record_id)
        SELECT person_id, current, municipality, 'record', source_record_id FROM changed WHERE current IS NOT NULL
    )
    SELECT array_agg(person_id) INTO moved FROM written;

    IF moved IS NOT NULL THEN
        PERFORM registry_refresh_territories('{}', moved, 'residence');
    END IF;
END
$$;

-- The name and address GIN indexes written under the identity lock (persons, source records) take new entries into
-- their pending list; the insert that finds the list full merges all of it into the index, in that chunk's locked
-- time (~50–70 ms). A chunk flushes them after its commits instead, outside every lock (one flusher at a time, each
-- index). Only the owner may call gin_clean_pending_list, hence the definer's rights; the function does nothing else.
CREATE FUNCTION registry_flush_pending_index_entries() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT gin_clean_pending_list('persons_name_trgm'::regclass), gin_clean_pending_list('persons_name_words'::regclass),
           gin_clean_pending_list('source_records_address_trgm'::regclass);
$$;
REVOKE ALL ON FUNCTION registry_flush_pending_index_entries() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION registry_flush_pending_index_entries() TO registry_workers;
