#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at INGOT_TEST_POSTGRES_URL (default: the local
# cluster, trust auth, database "test"), installing and starting Debian's package if needed.
set -euo pipefail
url="${INGOT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

ready() { command -v pg_isready >/dev/null && pg_isready -q -d "$url"; }

if ready; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "ensure-postgres: installing PostgreSQL (Debian package)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
if ! pg_lsclusters -h | grep -q "^$version main"; then pg_createcluster "$version" main >/dev/null; fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  if ready; then break; fi
  sleep 1
done
if ! ready; then
  echo "ensure-postgres: PostgreSQL did not come up at $url; see /var/log/postgresql/." >&2
  exit 1
fi
# A fresh cluster has neither trust auth on TCP for postgres nor the "test" database.
db="${url##*/}"
if ! psql "$url" -Atc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -Atc \"select 1 from pg_database where datname='$db'\"" | grep -q 1 ||
    su postgres -c "createdb '$db'"
fi
psql "$url" -Atc 'select 1' >/dev/null
