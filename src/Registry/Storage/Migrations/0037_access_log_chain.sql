-- A tamper-evident, complete access log (issue 23).
--
-- Each entry carries its position in a hash chain (seq, gapless), the hash of the entry before it
-- and its own: SHA-256 over the previous hash and the entry's canonical form (below). The database
-- sets them on insert, whoever inserts: a SECURITY DEFINER trigger owned by the owner reads the chain
-- head (one row) FOR UPDATE, so inserts are serialised and no two entries share a position. The
-- hosts' roles have no privilege on the head. An entry changed, removed or inserted out of the chain
-- afterwards (which only the owner or a superuser can do, triggers disabled) no longer matches: the
-- verifier (`dotnet Registry.Api.dll verify-access-log`, src/Registry.Api/Access/AccessLogVerifier.cs)
-- recomputes the chain in C#, independently of any SQL here, and names the first broken link.
--
-- Canonical form, UTF-8: 'registry-access-log/1;' then, for each of id, at (microseconds since
-- 1970-01-01 UTC), subject, role, agency_code, kind, target_id, purpose, detail, returned_ids
-- (lower-case uuids joined by ','), either '-;' for null or '<length in bytes>:<text>;'.
--
-- Also: which persons or households a search returned (returned_ids), and the new kinds of entry:
-- a denied attempt (who, what, why), a rejected-rows CSV download and a PROV export.

ALTER TABLE access_log
    ADD COLUMN returned_ids uuid[],
    ADD COLUMN seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash bytea;

ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv'));

-- "Which searches returned this person?" (GET /api/access-log?target=).
CREATE INDEX access_log_returned ON access_log USING gin (returned_ids);
CREATE UNIQUE INDEX access_log_seq ON access_log (seq);

CREATE TABLE access_log_chain_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint NOT NULL,
    hash     bytea  NOT NULL
);

CREATE FUNCTION access_log_canonical(e access_log) RETURNS bytea
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $$
    SELECT convert_to('registry-access-log/1;' || (
        SELECT string_agg(CASE WHEN v IS NULL THEN '-;' ELSE octet_length(v)::text || ':' || v || ';' END, '' ORDER BY n)
          FROM unnest(ARRAY[
                   e.id::text,
                   (extract(epoch FROM e.at) * 1000000)::bigint::text,
                   e.subject, e.role, e.agency_code, e.kind, e.target_id::text, e.purpose, e.detail,
                   array_to_string(e.returned_ids, ',')]) WITH ORDINALITY AS f(v, n)), 'UTF8')
$$;

CREATE FUNCTION access_log_chain_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    head access_log_chain_head;
BEGIN
    SELECT * INTO head FROM access_log_chain_head FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(head.hash || access_log_canonical(NEW));
    UPDATE access_log_chain_head SET seq = NEW.seq, hash = NEW.hash;
    RETURN NEW;
END $$;

-- Entries written before this migration join the chain in id order.
ALTER TABLE access_log DISABLE TRIGGER access_log_append_only;
DO $$
DECLARE
    e access_log;
    previous bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    position bigint := 0;
BEGIN
    FOR e IN SELECT * FROM access_log ORDER BY id LOOP
        position := position + 1;
        e.seq := position;
        e.prev_hash := previous;
        previous := sha256(previous || access_log_canonical(e));
        UPDATE access_log SET seq = position, prev_hash = e.prev_hash, hash = previous WHERE id = e.id;
    END LOOP;
    INSERT INTO access_log_chain_head (seq, hash) VALUES (position, previous);
END $$;
ALTER TABLE access_log ENABLE TRIGGER access_log_append_only;

CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_chain_entry();
