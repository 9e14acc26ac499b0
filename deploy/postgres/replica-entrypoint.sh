#!/bin/bash
# Streaming read replica of the "postgres" service (docker-compose.scale.yml). On first start it clones
# the primary with pg_basebackup (-R writes primary_conninfo and standby.signal) through a physical
# replication slot, so the primary keeps the WAL the replica has not received yet; after that it is a
# hot standby that follows the primary and answers read-only queries.
set -euo pipefail
: "${PRIMARY_HOST:=postgres}" "${REPLICATION_SLOT:=replica1}"
export PGPASSWORD="$REPLICATION_PASSWORD"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready --host="$PRIMARY_HOST" --username=replicator --quiet; do sleep 1; done
  slot_exists=$(psql --host="$PRIMARY_HOST" --username=replicator --dbname=postgres --tuples-only --no-align \
    --command="SELECT 1 FROM pg_replication_slots WHERE slot_name = '$REPLICATION_SLOT'")
  create_slot=(--create-slot)
  [ "$slot_exists" = "1" ] && create_slot=()
  pg_basebackup --host="$PRIMARY_HOST" --username=replicator --pgdata="$PGDATA" \
    --wal-method=stream --write-recovery-conf --slot="$REPLICATION_SLOT" "${create_slot[@]}" \
    --checkpoint=fast
  chmod 0700 "$PGDATA"
fi

# hot_standby_feedback: long inbox queries on the replica are not cancelled by vacuum on the primary.
exec postgres -c hot_standby=on -c hot_standby_feedback=on
