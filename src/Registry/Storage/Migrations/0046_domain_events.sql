-- Domain events through a transactional outbox (issue 28): triggers write an event row in the same
-- transaction as the change it reports, so an event exists if and only if its change committed; the
-- workers' OutboxRelay publishes unpublished rows on RabbitMQ and marks them. One row per statement for
-- bulk changes (a chunk's new persons, services, memberships), so resolution pays one insert per kind
-- and chunk. event_id is the published MessageId: the idempotency key subscribers dedupe on.
CREATE TABLE outbox_events (
    id           bigserial PRIMARY KEY,
    event_id     uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    type         text        NOT NULL,
    payload      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_events_unpublished ON outbox_events (id) WHERE published_at IS NULL;

CREATE FUNCTION outbox_persons_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'PersonsCreated', jsonb_build_object('personIds', jsonb_agg(id ORDER BY id))
      FROM created HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER persons_outbox AFTER INSERT ON persons REFERENCING NEW TABLE AS created
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_persons_created();

CREATE FUNCTION outbox_identity_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT CASE e.kind WHEN 'merge' THEN 'PersonsMerged' ELSE 'PersonSplit' END,
           CASE e.kind
               WHEN 'merge' THEN jsonb_build_object('survivorId', e.person_id, 'mergedId', e.other_person_id,
                                                    'byMachine', e.decided_by = 'machine', 'at', e.at)
               ELSE jsonb_build_object('personId', e.person_id, 'newPersonId', e.other_person_id,
                                       'sourceRecordIds', to_jsonb(e.source_record_ids), 'at', e.at)
           END
      FROM added e
     WHERE e.kind IN ('merge', 'split')
     ORDER BY e.id;
    RETURN NULL;
END $$;
CREATE TRIGGER identity_events_outbox AFTER INSERT ON identity_events REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_identity_events();

-- Memberships: pairs that appear (joined) or disappear (left), whatever statement moved them.
CREATE FUNCTION outbox_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'HouseholdMembershipChanged', jsonb_build_object('changes', jsonb_agg(jsonb_build_object(
               'householdId', c.household_id, 'personId', c.person_id, 'change', c.change) ORDER BY c.household_id, c.person_id))
      FROM (
        SELECT household_id, person_id, 'joined' AS change FROM (
            SELECT household_id, person_id FROM new_members
            EXCEPT SELECT household_id, person_id FROM old_members) j
        UNION ALL
        SELECT household_id, person_id, 'left' FROM (
            SELECT household_id, person_id FROM old_members
            EXCEPT SELECT household_id, person_id FROM new_members) l
      ) c
    HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE FUNCTION outbox_memberships_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'HouseholdMembershipChanged', jsonb_build_object('changes', jsonb_agg(jsonb_build_object(
               'householdId', household_id, 'personId', person_id, 'change', 'joined') ORDER BY household_id, person_id))
      FROM (SELECT DISTINCT household_id, person_id FROM new_members) n
    HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE FUNCTION outbox_memberships_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'HouseholdMembershipChanged', jsonb_build_object('changes', jsonb_agg(jsonb_build_object(
               'householdId', household_id, 'personId', person_id, 'change', 'left') ORDER BY household_id, person_id))
      FROM (SELECT DISTINCT household_id, person_id FROM old_members) o
    HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER household_members_outbox_insert AFTER INSERT ON household_members REFERENCING NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_memberships_inserted();
CREATE TRIGGER household_members_outbox_update AFTER UPDATE ON household_members
    REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_memberships();
CREATE TRIGGER household_members_outbox_delete AFTER DELETE ON household_members REFERENCING OLD TABLE AS old_members
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_memberships_deleted();

-- Services: ids, sector and date; a sensitive sector's agency is left out (README, Security model).
CREATE FUNCTION outbox_services_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox_events (type, payload)
    SELECT 'ServicesRecorded', jsonb_build_object('services', jsonb_agg(jsonb_build_object(
               'serviceEventId', s.id, 'personId', s.person_id, 'sector', s.sector,
               'agencyCode', CASE WHEN s.sector IN ('health', 'security') THEN NULL ELSE s.agency_code END,
               'serviceDate', s.service_date) ORDER BY s.id))
      FROM recorded s
    HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER service_events_outbox AFTER INSERT ON service_events REFERENCING NEW TABLE AS recorded
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_services_recorded();

CREATE FUNCTION outbox_extract_resolved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'resolved' AND OLD.status IS DISTINCT FROM 'resolved' THEN
        INSERT INTO outbox_events (type, payload)
        VALUES ('ExtractResolved', jsonb_build_object(
            'extractId', NEW.id, 'feedCode', NEW.feed_code, 'agencyCode', NEW.agency_code, 'sector', NEW.sector,
            'rowsTotal', NEW.rows_total, 'rowsAccepted', NEW.rows_accepted, 'rowsRejected', NEW.rows_rejected,
            'resolvedAt', coalesce(NEW.resolved_at, now())));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER extracts_outbox AFTER UPDATE OF status ON extracts
    FOR EACH ROW EXECUTE FUNCTION outbox_extract_resolved();
