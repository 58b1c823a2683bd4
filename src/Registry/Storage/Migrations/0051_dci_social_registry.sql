-- DCI Social Registry API v1.0.0 (issue 28): what a partner system's exchanges leave behind.
--   dci_transactions   every request the API acknowledged or answered (by sender and transaction_id), with the
--                      response it produced, so txn/status can say what became of it
--   dci_subscriptions  standing requests to be notified (code, filter, event types, where to call back) and the
--                      subscriber's scope as its token said at subscription time: notifications are computed with it
--   dci_callbacks      callbacks to deliver (on-search, on-subscribe, on-unsubscribe, txn-on-status, notify): written
--                      in the request's own transaction, posted by the API's sender in the background with back-off
--   dci_event_cursor   how far in outbox_events (migration 0046) the notifier has looked
-- The API host writes these (grants.sql): they hold exchanges, not registry facts.
CREATE TABLE dci_transactions (
    id              bigserial PRIMARY KEY,
    sender_id       text        NOT NULL,
    transaction_id  text        NOT NULL,
    correlation_id  text        NOT NULL UNIQUE,
    action          text        NOT NULL,
    subject         text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('rcvd', 'pdng', 'succ', 'rjct')),
    response        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dci_transactions_by_sender ON dci_transactions (sender_id, transaction_id);

CREATE TABLE dci_subscriptions (
    code            text        PRIMARY KEY,
    sender_id       text        NOT NULL,
    subject         text        NOT NULL,
    scope           jsonb       NOT NULL,
    event_type      text        NOT NULL,
    filter          jsonb       NOT NULL,
    notify_record_type text     NOT NULL,
    notify_uri      text,
    status          text        NOT NULL DEFAULT 'subscribe' CHECK (status IN ('subscribe', 'unsubscribe')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz
);

CREATE TABLE dci_callbacks (
    id              bigserial PRIMARY KEY,
    uri             text        NOT NULL,
    action          text        NOT NULL,
    payload         jsonb       NOT NULL,
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    failed_at       timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dci_callbacks_due ON dci_callbacks (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE dci_event_cursor (
    id              int         PRIMARY KEY CHECK (id = 1),
    last_event      bigint      NOT NULL
);

-- A partner system's DCI reads are logged like every other read, each as its own kind so an auditor can tell them
-- apart: searches (sync and async, with the ids returned) and notifications (the records a notify callback carried).
ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv',
    'match-models', 'match-model-promotion', 'row-warnings-csv', 'fhir-patient', 'fhir-match', 'dci-search', 'dci-notify'));
