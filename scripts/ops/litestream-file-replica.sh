#!/usr/bin/env bash
# Opt-in check of docs/operations.md "Continuous replication with Litestream": a satellite serving from a
# fresh data directory, Litestream replicating its database to a file replica, writes through the CLI, then
# a restore from the replica that must pass integrity_check and hold those writes. Not part of npm test.
# Usage: npm run ops:litestream-check   (needs the @flydotio/litestream dev dependency and sqlite3)
set -euo pipefail
cd "$(dirname "$0")/../.."
LITESTREAM=$(ls node_modules/@flydotio/litestream-*/litestream 2>/dev/null | head -n1 || true)
[ -x "$LITESTREAM" ] || { echo "litestream binary not found under node_modules/@flydotio/litestream-*" >&2; exit 1; }
work=$(mktemp -d)
serve_pid=""
replicate_pid=""
cleanup() {
  [ -n "$replicate_pid" ] && kill "$replicate_pid" 2>/dev/null || true
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export SATELLITE_DATA_DIR="$work/data" SATELLITE_PORT=0 SATELLITE_HOST=127.0.0.1 SATELLITE_HOSTNAMES=localhost SATELLITE_LOG_LEVEL=warn
satellite() { node --import tsx scripts/satellite.ts "$@"; }
cat > "$work/litestream.yml" <<YAML
dbs:
  - path: $work/data/satellite.db
    replicas:
      - type: file
        path: $work/replica
YAML
satellite init >/dev/null 2>&1
# node itself in the background (not the shell function), so $! is the process to stop.
node --import tsx scripts/satellite.ts serve > "$work/serve.out" 2>&1 & serve_pid=$!
"$LITESTREAM" replicate -config "$work/litestream.yml" > "$work/litestream.out" 2>&1 & replicate_pid=$!
satellite demo seed >/dev/null 2>&1
satellite account create "Replicated Corp" >&2
# Litestream ships the WAL every second; wait until the replica has a generation and a second WAL segment.
for _ in $(seq 1 60); do
  [ "$(grep -c 'wal segment written' "$work/litestream.out" || true)" -ge 2 ] && break
  sleep 1
done
sleep 2
"$LITESTREAM" restore -config "$work/litestream.yml" -o "$work/restored/satellite.db" "$work/data/satellite.db" 2>&1 | grep -E 'restoring snapshot|applied wal|renaming' >&2
check=$(sqlite3 "$work/restored/satellite.db" 'PRAGMA integrity_check')
accounts=$(sqlite3 "$work/restored/satellite.db" 'SELECT group_concat(name, ", ") FROM (SELECT name FROM accounts ORDER BY name)')
echo "integrity_check: $check; accounts in the restored database: $accounts"
[ "$check" = ok ] && [ "$accounts" = "Demo Account, Replicated Corp" ]
