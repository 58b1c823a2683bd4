-- 0045: a review task's reason is a code (Matching/ReviewReason.cs), no longer the English sentence the matcher
-- wrote: the web UI shows it through its text table, in Spanish or English, instead of matching the stored text.
-- Codes stay kebab-case like the link rules of match_decisions.rule, which never changed (SQL reads them).
-- Text that is not one of these sentences (none is known) is left as it is; the UI shows such text as stored.
CREATE TEMP TABLE review_reason_codes (sentence text PRIMARY KEY, code text NOT NULL) ON COMMIT DROP;
INSERT INTO review_reason_codes (sentence, code) VALUES
    ('score between the review and link thresholds', 'review-band'),
    ('names agree but nothing that tells namesakes apart (birth date, CURP, another id, phone, street and number)', 'names-only'),
    ('the records carry two different valid CURPs', 'two-valid-curps'),
    ('a steward decided these are different persons', 'steward-separated'),
    ('two registry persons whose own records disagree both match this record (namesakes)', 'ambiguous-namesakes'),
    ('the CURP names a person whose records this record contradicts (a relative''s CURP?)', 'contradicted-curp'),
    ('the agency''s person id names a person whose records this record contradicts (an id reused or mistyped?)', 'contradicted-agency-id'),
    ('the record bridges two registry persons whose own records disagree', 'bridges-disagreeing'),
    ('the record bridges two registry persons that cannot be compared', 'bridges-incomparable');

UPDATE review_tasks t SET reason = c.code FROM review_reason_codes c WHERE t.reason = c.sentence;
UPDATE review_task_records r SET reason = c.code FROM review_reason_codes c WHERE r.reason = c.sentence;
