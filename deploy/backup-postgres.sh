#!/usr/bin/env bash
# Backup of the TZCLD Wallonie PostgreSQL database, checked before it is kept.
#
#   deploy/backup-postgres.sh BACKUP_DIR [KEEP_DAYS]      (database: TZCLD_DATABASE_URL)
#
# Writes BACKUP_DIR/tzcld-YYYYMMDDTHHMMSSZ.dump (pg_dump --format=custom: every table —
# ledger, perimeter versions, sign-in journal, accounts, schema versions), mode 0600; keeps
# it only if pg_restore can read its table of contents; deletes dumps older than KEEP_DAYS
# (default 14). Prints the dump's path. Run nightly by deploy/systemd/tzcld-backup.timer;
# with compose: docker compose -f deploy/compose.yaml exec -T postgres pg_dump -U tzcld
# --format=custom tzcld > tzcld-$(date +%F).dump. Restore drill: README, « Déploiement ».
# pg_dump must be of the server's major version or newer (Debian 12: 15).
# The password travels in the URL: on a shared host prefer a ~/.pgpass file and a URL
# without password.
set -euo pipefail
dir="${1:?usage: backup-postgres.sh BACKUP_DIR [KEEP_DAYS]}"
keep="${2:-14}"
url="${TZCLD_DATABASE_URL:?TZCLD_DATABASE_URL is not set}"
url="${url/postgresql+psycopg:\/\//postgresql://}"   # SQLAlchemy's driver name: not for libpq
url="${url/postgres:\/\//postgresql://}"
bin="${TZCLD_PG_BIN:-}"
if [ -z "$bin" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
pg_dump="${bin:+$bin/}pg_dump"
pg_restore="${bin:+$bin/}pg_restore"
umask 077
mkdir -p "$dir"
out="$dir/tzcld-$(date -u +%Y%m%dT%H%M%SZ).dump"
trap 'rm -f "$out.partial"' EXIT   # a failed dump leaves nothing half-written
"$pg_dump" --format=custom --no-owner --no-privileges --file "$out.partial" --dbname "$url"
if ! "$pg_restore" --list "$out.partial" > /dev/null; then
  echo "backup-postgres: the dump cannot be read back; not kept" >&2
  exit 1
fi
mv "$out.partial" "$out"
find "$dir" -maxdepth 1 -name 'tzcld-*.dump' -mtime +"$keep" -delete
echo "$out"
