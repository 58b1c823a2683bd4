-- 0035: a case manager's territory follows where people live now, not every municipality any
-- agency ever reported them in (issue 23: one agency row carrying a known CURP and another
-- municipality opened that person and all their households to that municipality).
--
-- Definitions (registry_rebuild_territories computes them from scratch):
--   residence of a person  = the municipality of their most recent COUNTED residence claim; without
--                            one, the municipality of their first source record (the one that
--                            created them: an agency can still bring new people, never move one).
--   counted claim          = a steward's decision, or a row of a residence-authoritative feed
--                            (feeds.residence_authoritative, from the feed definition) whose identity
--                            is corroborated: it linked probabilistically, or by an identifier AND its
--                            given name and paternal surname agree with the person. A row that links
--                            by identifier alone is kept as an uncounted claim (auditors see it as a
--                            territory event) and moves nobody. A row that created its person needs no
--                            claim: it is the person's first record.
--   household territory    = the residences of its current members (household_members.valid_to IS NULL).
--   person territory       = their residence, and the territory of each household they are a current
--                            member of; a past membership grants its household's territory until the
--                            day it ended (valid_to).
-- A territory row that stops holding is not deleted: ended_at says since when, and TerritoryScope
-- keeps granting it for a grace period (Access:PastMembershipGrace) after that instant.
-- Every change of an existing person's or household's territory is a territory_events row,
-- written by the statement that made the change (so in its transaction).

-- The feed definitions' residence flag, upserted by the workers host at start (FeedRegistry).
CREATE TABLE feeds (
    code                    text PRIMARY KEY,
    residence_authoritative boolean     NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL DEFAULT now()
);

-- Residence claims: each row of a residence-authoritative feed that linked to an existing person
-- (counted or not, with why), and stewards' decisions. Kept so a merge or split can recompute a
-- person's residence from the claims of the records they now hold.
CREATE TABLE residence_claims (
    id               bigserial PRIMARY KEY,
    source_record_id uuid,
    person_id        uuid,
    municipality     text        NOT NULL,
    counted          boolean     NOT NULL,
    note             text,
    decided_by       text,
    at               timestamptz NOT NULL DEFAULT now(),
    CHECK ((source_record_id IS NULL) <> (person_id IS NULL))
);
CREATE INDEX residence_claims_record ON residence_claims (source_record_id) WHERE source_record_id IS NOT NULL;
CREATE INDEX residence_claims_person ON residence_claims (person_id) WHERE person_id IS NOT NULL;
CREATE TRIGGER residence_claims_append_only BEFORE UPDATE OR DELETE ON residence_claims
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Records that grant no territory through the household they list: rows that linked to an existing
-- person by an identifier alone (CURP, the agency's person id) with a given name or paternal surname
-- that is absent or different. Their membership is kept (the household shows it to those who see the
-- household for other reasons) but neither opens the household to the person's municipality nor the
-- person to the household's.
CREATE TABLE territory_excluded_records (
    source_record_id uuid PRIMARY KEY,
    note             text NOT NULL
);

CREATE TABLE person_residences (
    person_id    uuid PRIMARY KEY,
    municipality text        NOT NULL,
    claim_id     bigint,
    since        timestamptz NOT NULL DEFAULT now()
);

-- Append-only: who gained or lost which municipality, why, when.
--   cause: record (a counted claim moved the person), steward (a steward's residence decision),
--          ignored-claim (a residence-authoritative row named another municipality but did not
--          corroborate the identity: nothing moved), residence (a household or member followed a
--          residence change), membership (joined or left a household), identity (merge or split).
CREATE TABLE territory_events (
    id                bigserial PRIMARY KEY,
    person_id         uuid,
    household_id      uuid,
    from_municipality text,
    to_municipality   text,
    cause             text        NOT NULL CHECK (cause IN ('record', 'steward', 'ignored-claim', 'residence', 'membership', 'identity')),
    source_record_id  uuid,
    decided_by        text,
    reason            text,
    at                timestamptz NOT NULL DEFAULT now(),
    CHECK (person_id IS NOT NULL OR household_id IS NOT NULL)
);
CREATE INDEX territory_events_person ON territory_events (person_id, id) WHERE person_id IS NOT NULL;
CREATE INDEX territory_events_household ON territory_events (household_id, id) WHERE household_id IS NOT NULL;
CREATE INDEX territory_events_at ON territory_events (at);
CREATE TRIGGER territory_events_append_only BEFORE UPDATE OR DELETE ON territory_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE FUNCTION territory_events_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'territory_events is append-only'; END $$;
CREATE TRIGGER territory_events_no_truncate BEFORE TRUNCATE ON territory_events
    FOR EACH STATEMENT EXECUTE FUNCTION territory_events_refuse_truncate();

-- Reading territory events is logged like any registry read (kind 'territory-events').
ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN ('person', 'household', 'lineage-person', 'lineage-household',
    'lineage-service-event', 'search', 'review-queue', 'review-task', 'identity-events', 'territory-events'));

-- ended_at: since when the row no longer holds ('-infinity': it held only inside the transaction
-- that ended it, e.g. a household that briefly had a member already on their way out: it never
-- granted anything). live_since: when it last started holding (the transaction's start, now()).
ALTER TABLE household_territories ADD COLUMN ended_at timestamptz, ADD COLUMN live_since timestamptz NOT NULL DEFAULT now();
ALTER TABLE person_territories ADD COLUMN ended_at timestamptz, ADD COLUMN live_since timestamptz NOT NULL DEFAULT now();

-- Does a row's name agree with its person's: the same first given name and paternal surname, folded.
CREATE FUNCTION registry_names_agree(row_given text, row_paternal text, given text, paternal text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(registry_fold(row_paternal), '') <> '' AND registry_fold(row_paternal) = registry_fold(paternal)
       AND split_part(registry_fold(row_given), ' ', 1) <> ''
       AND split_part(registry_fold(row_given), ' ', 1) = split_part(registry_fold(given), ' ', 1)
$$;
ALTER FUNCTION registry_names_agree(text, text, text, text) SET search_path FROM CURRENT;

-- The residence of the given persons from scratch: latest counted claim (their records' or a
-- steward's about them or a person merged into them), else the municipality of the first record
-- that created a person now theirs and named one (a merge keeps the one that did); a person a
-- steward split off, whom no record created, takes their first record's that names one.
CREATE FUNCTION registry_residences_of(ids uuid[]) RETURNS TABLE (person_id uuid, municipality text, claim_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT p.id, coalesce(c.municipality, f.municipality), c.id
      FROM unnest(ids) AS p(id)
      LEFT JOIN LATERAL (
          SELECT rc.id, rc.municipality FROM residence_claims rc
           WHERE rc.counted
             AND (rc.source_record_id IN (SELECT sr.id FROM source_records sr WHERE sr.person_id = p.id)
                  OR rc.person_id IN (SELECT pp.id FROM persons pp WHERE pp.id = p.id OR pp.merged_into = p.id))
           ORDER BY rc.at DESC, rc.id DESC LIMIT 1) c ON true
      LEFT JOIN LATERAL (
          SELECT x.municipality FROM (
              SELECT nullif(registry_fold(sr.data ->> 'Municipality'), '') AS municipality, coalesce(d.created_person, false) AS created, sr.id
                FROM source_records sr LEFT JOIN match_decisions d ON d.source_record_id = sr.id
               WHERE sr.person_id = p.id) x
           WHERE x.municipality IS NOT NULL
             AND (x.created OR NOT EXISTS (SELECT 1 FROM source_records s2 JOIN match_decisions d2 ON d2.source_record_id = s2.id
                                            WHERE s2.person_id = p.id AND d2.created_person))
           ORDER BY x.created DESC, x.id LIMIT 1) f ON true
$$;

-- Recomputes the residences of the given persons (after their records moved: a merge or split),
-- logging each change of an existing residence; the caller refreshes territories.
CREATE FUNCTION registry_recompute_residences(ids uuid[], why text) RETURNS void
LANGUAGE sql AS $$
    WITH fresh AS (
        SELECT r.person_id, r.municipality, r.claim_id, cur.municipality AS from_m, cur.person_id IS NOT NULL AS had
          FROM registry_residences_of(ids) r LEFT JOIN person_residences cur ON cur.person_id = r.person_id
         WHERE r.municipality IS DISTINCT FROM cur.municipality
    ), removed AS (
        DELETE FROM person_residences pr USING fresh f WHERE pr.person_id = f.person_id AND f.municipality IS NULL
    ), written AS (
        INSERT INTO person_residences AS pr (person_id, municipality, claim_id)
        SELECT person_id, municipality, claim_id FROM fresh WHERE municipality IS NOT NULL
        ON CONFLICT (person_id) DO UPDATE SET municipality = excluded.municipality, claim_id = excluded.claim_id, since = now()
    )
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause)
    SELECT person_id, from_m, municipality, why FROM fresh WHERE had;
$$;

-- Replaced by an overload with the cause of the change (two arguments would be ambiguous between them).
DROP FUNCTION registry_refresh_territories(uuid[], uuid[]);

-- Recomputes the territories of the given households and persons and of everything that follows
-- from them (as 0009), keeping rows that stop holding as ended, and logging every change of an
-- existing territory with the given cause.
CREATE OR REPLACE FUNCTION registry_refresh_territories(changed_households uuid[], changed_persons uuid[], why text DEFAULT 'membership',
    cause_record uuid DEFAULT NULL, cause_by text DEFAULT NULL, cause_reason text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    hh_ids uuid[];
    p_ids uuid[];
BEGIN
    SELECT coalesce(array_agg(DISTINCT h), '{}') INTO hh_ids FROM (
        SELECT unnest(changed_households) AS h
        UNION SELECT hm.household_id FROM household_members hm WHERE hm.person_id = ANY (changed_persons)) x
     WHERE h IS NOT NULL;
    SELECT coalesce(array_agg(DISTINCT p), '{}') INTO p_ids FROM (
        SELECT unnest(changed_persons) AS p
        UNION SELECT hm.person_id FROM household_members hm WHERE hm.household_id = ANY (hh_ids)) x
     WHERE p IS NOT NULL;

    -- Households: live = residences of current members. A household merged into another holds
    -- nothing of its own any more.
    WITH live AS (
        SELECT DISTINCT hm.household_id, r.municipality
          FROM household_members hm JOIN person_residences r ON r.person_id = hm.person_id
         WHERE hm.household_id = ANY (hh_ids) AND hm.valid_to IS NULL
           AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)
    ), before AS (
        SELECT t.household_id, t.municipality, t.ended_at, h.merged_into IS NOT NULL AS merged
          FROM household_territories t LEFT JOIN households h ON h.id = t.household_id
         WHERE t.household_id = ANY (hh_ids)
    ), had AS (
        SELECT DISTINCT household_id FROM before WHERE ended_at IS NULL
    ), merged AS (
        DELETE FROM household_territories t USING before b
         WHERE b.merged AND t.household_id = b.household_id AND t.municipality = b.municipality
    ), ended AS (
        UPDATE household_territories t SET ended_at = CASE WHEN t.live_since = now() THEN '-infinity' ELSE now() END
          FROM before b
         WHERE t.household_id = b.household_id AND t.municipality = b.municipality AND b.ended_at IS NULL AND NOT b.merged
           AND NOT EXISTS (SELECT 1 FROM live l WHERE l.household_id = b.household_id AND l.municipality = b.municipality)
        RETURNING t.household_id, t.municipality
    ), gained AS (
        INSERT INTO household_territories (household_id, municipality)
        SELECT household_id, municipality FROM live
        ON CONFLICT (household_id, municipality) DO UPDATE SET ended_at = NULL, live_since = now() WHERE household_territories.ended_at IS NOT NULL
        RETURNING household_id, municipality
    )
    INSERT INTO territory_events (household_id, from_municipality, to_municipality, cause, source_record_id, decided_by, reason)
    SELECT household_id, municipality, NULL, why, cause_record, cause_by, cause_reason FROM ended
    UNION ALL
    SELECT g.household_id, NULL, g.municipality, why, cause_record, cause_by, cause_reason FROM gained g
     WHERE g.household_id IN (SELECT household_id FROM had);

    -- Persons: residence, current memberships' household territories (live or ended), past
    -- memberships' until the day they ended. NULL until = live.
    WITH candidates AS (
        SELECT person_id, municipality, NULL::timestamptz AS until FROM person_residences WHERE person_id = ANY (p_ids)
        UNION ALL
        SELECT hm.person_id, ht.municipality,
               CASE WHEN hm.valid_to IS NULL THEN ht.ended_at
                    ELSE least(hm.valid_to::timestamptz, coalesce(ht.ended_at, 'infinity')) END
          FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id
         WHERE hm.person_id = ANY (p_ids)
           AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)
    ), wanted AS (
        SELECT person_id, municipality,
               CASE WHEN bool_or(until IS NULL) THEN NULL ELSE max(until) END AS until
          FROM candidates GROUP BY person_id, municipality
    ), before AS (
        -- merged: redirected, or left without records (a merge moves the records before it redirects)
        SELECT t.person_id, t.municipality, t.ended_at,
               p.merged_into IS NOT NULL OR NOT EXISTS (SELECT 1 FROM source_records sr WHERE sr.person_id = t.person_id) AS merged
          FROM person_territories t LEFT JOIN persons p ON p.id = t.person_id
         WHERE t.person_id = ANY (p_ids)
    ), had AS (
        SELECT DISTINCT person_id FROM before WHERE ended_at IS NULL AND NOT merged
    ), merged AS (
        -- A person merged into another holds nothing of their own any more.
        DELETE FROM person_territories t USING before b
         WHERE b.merged AND t.person_id = b.person_id AND t.municipality = b.municipality
    ), ended AS (
        UPDATE person_territories t SET ended_at = CASE WHEN t.live_since = now() THEN '-infinity' ELSE now() END
          FROM before b
         WHERE t.person_id = b.person_id AND t.municipality = b.municipality AND b.ended_at IS NULL AND NOT b.merged
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.person_id = b.person_id AND w.municipality = b.municipality)
        RETURNING t.person_id, t.municipality
    ), written AS (
        INSERT INTO person_territories AS t (person_id, municipality, name_words, ended_at)
        SELECT w.person_id, w.municipality, registry_territory_words(w.municipality, p.search_name), w.until
          FROM wanted w LEFT JOIN persons p ON p.id = w.person_id
         WHERE w.municipality <> '' AND p.merged_into IS NULL
           AND NOT EXISTS (SELECT 1 FROM before b WHERE b.person_id = w.person_id AND b.merged)
        ON CONFLICT (person_id, municipality) DO UPDATE
           SET ended_at = excluded.ended_at, live_since = CASE WHEN excluded.ended_at IS NULL THEN now() ELSE t.live_since END
         WHERE t.ended_at IS DISTINCT FROM excluded.ended_at
        RETURNING t.person_id, t.municipality, t.ended_at
    )
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, source_record_id, decided_by, reason)
    SELECT person_id, municipality, NULL, why, cause_record, cause_by, cause_reason FROM ended
    UNION ALL
    -- live before, granted only until a past membership's end now
    SELECT w.person_id, w.municipality, NULL, why, cause_record, cause_by, cause_reason FROM written w
     WHERE w.ended_at IS NOT NULL
       AND EXISTS (SELECT 1 FROM before b WHERE b.person_id = w.person_id AND b.municipality = w.municipality AND b.ended_at IS NULL)
    UNION ALL
    SELECT w.person_id, NULL, w.municipality, why, cause_record, cause_by, cause_reason FROM written w
     WHERE w.ended_at IS NULL AND w.person_id IN (SELECT person_id FROM had)
       AND NOT EXISTS (SELECT 1 FROM before b WHERE b.person_id = w.person_id AND b.municipality = w.municipality AND b.ended_at IS NULL);
END
$$;

-- As in 0029, adds the given (person, municipality) territories that are new (or revives ended
-- ones), each with its name words; a person who already had a live territory gains this one as an
-- event (a new person's first territories are not a change of anyone's scope).
CREATE OR REPLACE FUNCTION registry_add_person_territories(person_ids uuid[], municipalities text[]) RETURNS void
LANGUAGE sql AS $$
    -- Driven row by row (LATERAL … LIMIT 1): an index probe each, whatever the statistics.
    WITH wanted AS (
        SELECT DISTINCT p, m FROM unnest(person_ids, municipalities) AS x(p, m) WHERE m IS NOT NULL AND m <> ''
    ), present AS MATERIALIZED (
        SELECT w.p, w.m, t.person_id IS NOT NULL AS has_row, t.ended_at, other.person_id IS NOT NULL AS had_other
          FROM wanted w
          LEFT JOIN LATERAL (SELECT person_id, ended_at FROM person_territories WHERE person_id = w.p AND municipality = w.m LIMIT 1) t ON true
          LEFT JOIN LATERAL (SELECT person_id FROM person_territories
                              WHERE person_id = w.p AND municipality <> w.m AND ended_at IS NULL LIMIT 1) other ON true
    ), inserted AS (
        INSERT INTO person_territories (person_id, municipality, name_words)
        SELECT x.p, x.m, registry_territory_words(x.m, n.search_name)
          FROM present x
          LEFT JOIN LATERAL (SELECT search_name FROM persons WHERE id = x.p LIMIT 1) n ON true
         WHERE NOT x.has_row
        RETURNING person_id, municipality
    ), revived AS (
        UPDATE person_territories t SET ended_at = NULL, live_since = now()
          FROM present x
         WHERE x.has_row AND x.ended_at IS NOT NULL AND t.person_id = x.p AND t.municipality = x.m
        RETURNING t.person_id, t.municipality
    ), gained AS (
        SELECT person_id, municipality FROM inserted UNION ALL SELECT person_id, municipality FROM revived
    )
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause)
    SELECT g.person_id, NULL, g.municipality, 'membership'
      FROM gained g JOIN present x ON x.p = g.person_id AND x.m = g.municipality
     WHERE x.had_other;
$$;

-- Residence claims arrive with the decisions that link rows to persons (match_decisions is written
-- right after source_records, in the same statement batch, so each row's rule is known here).
-- Only rows that created a person, come from a residence-authoritative feed, or list a household
-- after linking by an identifier are judged; the others change no territory.
CREATE FUNCTION registry_residence_on_decisions() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    authoritative text[];
    moved uuid[];
BEGIN
    SELECT coalesce(array_agg(code), '{}') INTO authoritative FROM feeds WHERE residence_authoritative;

    CREATE TEMP TABLE IF NOT EXISTS decided_claims (
        source_record_id uuid, person_id uuid, created boolean, municipality text, counted boolean, note text
    ) ON COMMIT DROP;
    DELETE FROM decided_claims;

    -- Each row's record and person are probed by key (LATERAL … LIMIT 1): the planner knows nothing of
    -- a transition table's size and would otherwise hash the whole of source_records or persons.
    WITH raw AS MATERIALIZED (
        SELECT d.source_record_id, d.person_id, d.created_person, d.rule, sr.feed_code = ANY (authoritative) AS auth,
               sr.in_household, sr.spelled, sr.given, sr.paternal
          FROM new_rows d
         CROSS JOIN LATERAL (SELECT s.feed_code, s.data ? 'AgencyHouseholdId' AS in_household, s.data ->> 'Municipality' AS spelled,
                                    s.data ->> 'GivenNames' AS given, s.data ->> 'PaternalSurname' AS paternal
                               FROM source_records s WHERE s.id = d.source_record_id LIMIT 1) sr
         WHERE d.created_person OR sr.feed_code = ANY (authoritative)
            OR (d.rule NOT LIKE 'probabilistic%' AND sr.in_household)
    ), folded AS MATERIALIZED (
        SELECT spelled, registry_fold(spelled) AS municipality FROM (SELECT DISTINCT spelled FROM raw WHERE spelled IS NOT NULL) s
    ), judged AS MATERIALIZED (
        SELECT r.source_record_id, r.person_id, r.created_person, r.rule, r.auth, r.in_household, f.municipality,
               r.created_person OR r.rule LIKE 'probabilistic%'
                   OR registry_names_agree(r.given, r.paternal, p.given_names, p.paternal_surname) AS corroborated
          FROM raw r
          LEFT JOIN folded f ON f.spelled = r.spelled
          LEFT JOIN LATERAL (SELECT given_names, paternal_surname FROM persons
                              WHERE id = r.person_id AND NOT r.created_person AND r.rule NOT LIKE 'probabilistic%' LIMIT 1) p ON true
    ), excluded AS (
        INSERT INTO territory_excluded_records (source_record_id, note)
        SELECT source_record_id, 'linked by identifier (' || rule || ') alone: name absent or different'
          FROM judged WHERE in_household AND NOT corroborated
    ), claims AS (
        INSERT INTO decided_claims
        SELECT source_record_id, person_id, false, municipality, corroborated,
               CASE WHEN rule LIKE 'probabilistic%' THEN 'linked by score'
                    WHEN corroborated THEN 'identifier and name agree'
                    ELSE 'linked by identifier (' || rule || ') alone: name absent or different' END
          FROM judged
         WHERE coalesce(municipality, '') <> '' AND auth AND NOT created_person
    ), created AS MATERIALIZED (
        SELECT DISTINCT ON (person_id) person_id, municipality FROM judged
         WHERE created_person AND coalesce(municipality, '') <> '' ORDER BY person_id, source_record_id
    ), residences AS (
        -- A new person lives where the record that created them says. New ids: nothing to conflict with.
        INSERT INTO person_residences (person_id, municipality) SELECT person_id, municipality FROM created
    )
    -- …and that is their first territory (their households follow with the memberships); not a
    -- change of anyone's scope, so no event.
    INSERT INTO person_territories (person_id, municipality, name_words)
    SELECT c.person_id, c.municipality, registry_territory_words(c.municipality, n.search_name)
      FROM created c LEFT JOIN LATERAL (SELECT search_name FROM persons WHERE id = c.person_id LIMIT 1) n ON true;

    IF NOT EXISTS (SELECT 1 FROM decided_claims) THEN
        RETURN NULL;
    END IF;

    -- Claims about existing persons are kept, counted or not; uncounted ones that name another
    -- municipality move nobody (auditors see them); the latest counted one per person is their residence.
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
    RETURN NULL;
END
$$;
CREATE TRIGGER match_decisions_residence_insert AFTER INSERT ON match_decisions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_residence_on_decisions();

-- Source records: an insert no longer adds territory (the decision does, above); a record moving to
-- another person (merge, split) recomputes both persons' residences, then their territories.
CREATE OR REPLACE FUNCTION registry_territories_on_source_records() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    affected uuid[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT moved.p) INTO affected
          FROM old_rows o JOIN new_rows n ON n.id = o.id
         CROSS JOIN LATERAL (VALUES (o.person_id), (n.person_id)) AS moved(p)
         WHERE n.person_id IS DISTINCT FROM o.person_id;
    ELSE
        SELECT array_agg(DISTINCT person_id) INTO affected FROM old_rows;
    END IF;
    IF affected IS NOT NULL THEN
        PERFORM registry_recompute_residences(affected, 'identity');
        PERFORM registry_refresh_territories('{}', affected, 'identity');
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER source_records_territories_insert ON source_records;

-- Memberships: a household gains the residences of its new current members; every current member
-- gains what the household gained, and a new member the household's live territory. Changes and
-- deletions (moves, merges, splits) recompute.
CREATE OR REPLACE FUNCTION registry_territories_on_household_members() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person_ids uuid[];
    municipalities text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH had AS MATERIALIZED (
            SELECT DISTINCT n.household_id FROM new_rows n
             CROSS JOIN LATERAL (SELECT 1 FROM household_territories ht WHERE ht.household_id = n.household_id AND ht.ended_at IS NULL LIMIT 1) t
        ), household_gained AS (
            INSERT INTO household_territories (household_id, municipality)
            SELECT DISTINCT n.household_id, r.municipality
              FROM new_rows n
             CROSS JOIN LATERAL (SELECT municipality FROM person_residences WHERE person_id = n.person_id LIMIT 1) r
             WHERE n.valid_to IS NULL
               AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = n.source_record_id)
            ON CONFLICT (household_id, municipality) DO UPDATE SET ended_at = NULL, live_since = now() WHERE household_territories.ended_at IS NOT NULL
            RETURNING household_id, municipality
        ), logged AS (
            INSERT INTO territory_events (household_id, from_municipality, to_municipality, cause)
            SELECT g.household_id, NULL, g.municipality, 'membership' FROM household_gained g JOIN had h ON h.household_id = g.household_id
        ), gained AS (
            SELECT hm.person_id, g.municipality FROM household_gained g JOIN household_members hm ON hm.household_id = g.household_id AND hm.valid_to IS NULL
             WHERE NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)
            UNION
            SELECT n.person_id, ht.municipality FROM new_rows n JOIN household_territories ht ON ht.household_id = n.household_id
             WHERE n.valid_to IS NULL AND ht.ended_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = n.source_record_id)
        )
        SELECT array_agg(person_id), array_agg(municipality) INTO person_ids, municipalities FROM gained;
        IF person_ids IS NOT NULL THEN
            PERFORM registry_add_person_territories(person_ids, municipalities);
        END IF;
        -- Rows copied with an end date (merges) are recomputed.
        IF EXISTS (SELECT 1 FROM new_rows WHERE valid_to IS NOT NULL) THEN
            PERFORM registry_refresh_territories(
                (SELECT array_agg(DISTINCT household_id) FROM new_rows WHERE valid_to IS NOT NULL),
                (SELECT array_agg(DISTINCT person_id) FROM new_rows WHERE valid_to IS NOT NULL), 'membership');
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM registry_refresh_territories(
            (SELECT array_agg(DISTINCT h) FROM (SELECT household_id AS h FROM old_rows UNION SELECT household_id FROM new_rows) x),
            (SELECT array_agg(DISTINCT p) FROM (SELECT person_id AS p FROM old_rows UNION SELECT person_id FROM new_rows) x), 'membership');
    ELSE
        PERFORM registry_refresh_territories((SELECT array_agg(DISTINCT household_id) FROM old_rows),
                                             (SELECT array_agg(DISTINCT person_id) FROM old_rows), 'membership');
    END IF;
    RETURN NULL;
END
$$;

-- A steward's residence decision about one person: a counted claim, the residence, an event, and the
-- territories that follow. The caller holds the resolution lock.
CREATE FUNCTION registry_decide_residence(p_person uuid, p_municipality text, p_steward text, p_reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    folded text := registry_fold(p_municipality);
    previous text;
    claim bigint;
BEGIN
    SELECT r.municipality INTO previous FROM person_residences r WHERE r.person_id = p_person;
    INSERT INTO residence_claims (person_id, municipality, counted, note, decided_by)
    VALUES (p_person, folded, true, p_reason, p_steward) RETURNING id INTO claim;
    IF previous IS NOT DISTINCT FROM folded THEN
        UPDATE person_residences SET claim_id = claim WHERE person_id = p_person;
        RETURN false;
    END IF;
    INSERT INTO person_residences AS pr (person_id, municipality, claim_id) VALUES (p_person, folded, claim)
    ON CONFLICT (person_id) DO UPDATE SET municipality = excluded.municipality, claim_id = excluded.claim_id, since = now();
    INSERT INTO territory_events (person_id, from_municipality, to_municipality, cause, decided_by, reason)
    VALUES (p_person, previous, folded, 'steward', p_steward, p_reason);
    PERFORM registry_refresh_territories('{}', ARRAY[p_person], 'residence', NULL, p_steward, p_reason);
    RETURN true;
END
$$;

-- From scratch (bulk loaders that ran with triggers off, and this migration): residences from the
-- claims and first records, then territories. Only live rows and past memberships' can be derived;
-- when an earlier territory ended is history that a rebuild does not have.
CREATE OR REPLACE FUNCTION registry_rebuild_territories() RETURNS void
LANGUAGE sql AS $$
    TRUNCATE person_residences, household_territories, person_territories;
    INSERT INTO person_residences (person_id, municipality, claim_id)
    SELECT r.person_id, r.municipality, r.claim_id
      FROM registry_residences_of(ARRAY(SELECT id FROM persons WHERE merged_into IS NULL)) r
     WHERE r.municipality IS NOT NULL;
    INSERT INTO household_territories (household_id, municipality)
    SELECT DISTINCT hm.household_id, r.municipality
      FROM household_members hm JOIN person_residences r ON r.person_id = hm.person_id
     WHERE hm.valid_to IS NULL
       AND NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id);
    INSERT INTO person_territories (person_id, municipality, name_words, ended_at)
    SELECT x.person_id, x.municipality, registry_territory_words(x.municipality, p.search_name),
           CASE WHEN bool_or(x.until IS NULL) THEN NULL ELSE max(x.until) END
      FROM (SELECT person_id, municipality, NULL::timestamptz AS until FROM person_residences
            UNION ALL
            SELECT hm.person_id, ht.municipality, hm.valid_to::timestamptz
              FROM household_members hm JOIN household_territories ht ON ht.household_id = hm.household_id
             WHERE NOT EXISTS (SELECT 1 FROM territory_excluded_records x WHERE x.source_record_id = hm.source_record_id)) x
      LEFT JOIN persons p ON p.id = x.person_id
     WHERE x.municipality <> ''
     GROUP BY x.person_id, x.municipality, p.search_name;
$$;
SELECT registry_rebuild_territories();

ANALYZE person_residences;
ANALYZE household_territories;
ANALYZE person_territories;
