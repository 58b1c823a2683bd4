#!/usr/bin/env bash
# Runs once, when the postgres container initialises its data (docker-entrypoint-initdb.d): the
# hosts' roles (src/Registry/Storage/Privileges/roles.sql) with their passwords, which come from the environment (never
# from the repository). The migrator creates the same roles when missing and grants their
# privileges; the owner (POSTGRES_USER) runs the migrations.
set -euo pipefail
: "${REGISTRY_WORKERS_DB_PASSWORD:?}" "${REGISTRY_API_DB_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v workers_pw="$REGISTRY_WORKERS_DB_PASSWORD" -v api_pw="$REGISTRY_API_DB_PASSWORD" <<'SQL'
CREATE ROLE registry_workers LOGIN NOINHERIT PASSWORD :'workers_pw';
CREATE ROLE registry_api LOGIN NOINHERIT PASSWORD :'api_pw';
CREATE ROLE registry_stewardship NOLOGIN NOINHERIT;
GRANT registry_stewardship TO registry_api;
SQL
