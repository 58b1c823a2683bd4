-- Which blocking-key scheme match_blocks was built with. When the code's keys change
-- (MatchRecord.BlockingKeys, BlockingKeyRefresh.Scheme), the workers add the new keys of the
-- records already stored, so old records are found by the new keys too; then the version moves.
-- Registries before this migration were built with scheme 1.
CREATE TABLE match_block_scheme (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    int         NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO match_block_scheme (version) VALUES (1);
