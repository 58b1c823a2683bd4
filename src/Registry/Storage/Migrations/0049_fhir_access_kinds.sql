-- FHIR R4 for health systems (issue 28): Patient/{id} reads and Patient/$match requests are logged like every
-- other read, each as its own kind so an auditor can tell a partner system's reads from a case manager's.
ALTER TABLE access_log DROP CONSTRAINT access_log_kind_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_kind_check CHECK (kind IN (
    'person', 'household', 'lineage-person', 'lineage-household', 'lineage-service-event', 'search',
    'review-queue', 'review-task', 'identity-events', 'territory-events', 'denied', 'rejected-rows-csv',
    'match-models', 'match-model-promotion', 'row-warnings-csv', 'fhir-patient', 'fhir-match'));
