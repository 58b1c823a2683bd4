-- The API's ASP.NET Core data-protection keys (they sign and encrypt session cookies, the OIDC state and
-- antiforgery tokens), shared by every API replica: a cookie one replica issued opens on the others, and a
-- restarted replica keeps everyone signed in. Only the API reads and adds them (Storage/Privileges/grants.sql).
CREATE TABLE data_protection_keys (
    id            bigserial PRIMARY KEY,
    friendly_name text        NOT NULL,
    xml           text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
