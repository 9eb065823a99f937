#!/usr/bin/env bash
# README's `npm ci && npm start` in a fresh clone under a 0700 folder, as a newcomer who
# clones as root into /root gets it (issue 13): PostgreSQL then runs as user postgres, who
# cannot enter the clone. Starts it on free ports, waits for /readyz, stops it as Ctrl-C
# does, and starts it once more to see that it finds its data. Run from the checkout.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
chmod 700 "$dir"
clone="$dir/kartkontor"
pgid=""

cleanup() {
  [ -z "$pgid" ] || kill -KILL -- "-$pgid" 2>/dev/null || true
  # The cluster lives outside the clone, linked from .data/postgres (dev/embedded-postgres.ts).
  if [ -L "$clone/.data/postgres" ]; then rm -rf "$(readlink -f "$clone/.data/postgres")"; fi
  rm -rf "$dir"
}
trap cleanup EXIT

fail() {
  echo "[ci] 0700 clone: $1; the end of its output:"
  tail -n 25 "$dir/start.log" | cut -c1-400
  exit 1
}

git clone -q "$src" "$clone"
cd "$clone"
began=$SECONDS
# --prefer-offline: the checkout's own npm ci has just filled the cache.
npm ci --no-audit --no-fund --prefer-offline >"$dir/npm-ci.log" 2>&1 || { tail -n 25 "$dir/npm-ci.log"; echo "[ci] 0700 clone: npm ci failed"; exit 1; }
echo "[ci] 0700 clone: npm ci in $((SECONDS - began))s"

# Four free ports, so nothing else on the machine is in the way.
read -r PORT EMBEDDED_POSTGRES_PORT TEMPORAL_DEV_PORT TEMPORAL_UI_PORT < <(node -e '
  const net = require("net");
  const free = () => new Promise((r) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => r(port)); }); });
  Promise.all([free(), free(), free(), free()]).then((p) => console.log(p.join(" ")));')
export PORT EMBEDDED_POSTGRES_PORT TEMPORAL_DEV_PORT TEMPORAL_UI_PORT

# One start: ready within 120 s, then SIGINT to its whole process group (what Ctrl-C sends).
start_and_stop() {
  local began=$SECONDS pid code="" status=0
  setsid npm start >"$dir/start.log" 2>&1 &
  pid=$!
  pgid=$pid # setsid made npm the leader of a new process group (a background job is never one)
  until [ "$code" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || fail "npm start exited before it was ready"
    [ $((SECONDS - began)) -lt 120 ] || fail "npm start was not ready within 120 s"
    sleep 1
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz" || true)"
  done
  ready=$((SECONDS - began))
  kill -INT -- "-$pgid"
  wait "$pid" || status=$?
  # npm re-raises the SIGINT it forwarded, hence 130; anything else is a failed stop.
  [ "$status" = 0 ] || [ "$status" = 130 ] || fail "npm start exited with $status after SIGINT"
  sleep 1
  ! pgrep -g "$pgid" >/dev/null || fail "processes were left running after SIGINT"
  pgid=""
  grep -q '^Stopping …' "$dir/start.log" || fail "npm start did not stop in order"
  ! grep -q '"level":[456]0' "$dir/start.log" || fail "npm start logged warnings or errors"
  [ ! -e "$clone/.data/postgres/postmaster.pid" ] || fail "PostgreSQL was not shut down cleanly"
}

start_and_stop
grep -q '^First start: seeding demo data' "$dir/start.log" || fail "the first start did not seed demo data"
echo "[ci] 0700 clone: npm start ready in ${ready}s"
start_and_stop
! grep -q '^First start' "$dir/start.log" || fail "the second start did not find the first start's data"
echo "[ci] 0700 clone: second npm start ready in ${ready}s, found its data"
