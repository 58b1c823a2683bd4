-- 0040: a trained matching model is in force only when it passes the governance gate (its
-- label-estimated precision on stewards' decided review tasks does not drop) or an admin promotes
-- it; otherwise it is kept as a shadow beside its report. Exactly one model is active; the one it
-- replaced is retired. Decisions already made keep the version they were made with.
ALTER TABLE match_models
    ADD COLUMN status       text NOT NULL DEFAULT 'shadow' CHECK (status IN ('active', 'shadow', 'retired')),
    ADD COLUMN report       jsonb,
    ADD COLUMN activated_at timestamptz,
    ADD COLUMN activated_by text;

-- Until now the newest row was the model in force: it stays so, the older ones are retired.
UPDATE match_models SET status = 'retired';
UPDATE match_models SET status = 'active', activated_at = created_at, activated_by = 'migration 0040 (newest model was in force)'
 WHERE version = (SELECT version FROM match_models ORDER BY created_at DESC, version DESC LIMIT 1);

CREATE UNIQUE INDEX match_models_one_active ON match_models ((true)) WHERE status = 'active';

-- Who put which model in force or kept it aside, and why (append-only, like identity events).
CREATE TABLE match_model_events (
    id          bigserial PRIMARY KEY,
    version     text        NOT NULL REFERENCES match_models (version),
    kind        text        NOT NULL CHECK (kind IN ('trained-active', 'trained-shadow', 'saved-active', 'promoted', 'retired')),
    decided_by  text        NOT NULL,
    reason      text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_model_events_version ON match_model_events (version);
CREATE TRIGGER match_model_events_append_only BEFORE UPDATE OR DELETE ON match_model_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Reads of the model page and an admin's promotion are logged like other reads and actions.
ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv',
    'match-models', 'match-model-promotion'));
