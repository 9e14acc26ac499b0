#!/bin/bash
# Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d): a role the
# streaming replica connects as, and the pg_hba line that lets it (the image's own "host all all all"
# line does not match replication connections). For an existing volume run both by hand (docs/scaling.md).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -v pw="$REPLICATION_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'pw';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
