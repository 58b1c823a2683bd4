-- source_records had two indexes led by (feed_code, record_key): the unique one on content_hash,
-- which finds a re-sent record, and one on version, which finds its latest version. A record key
-- has a handful of versions at most, so the unique index answers both (the resolver's "latest
-- version" lookup reads a key's few entries and sorts them); each inserted record now writes one
-- text index entry fewer.
DROP INDEX source_records_feed_key_version;
