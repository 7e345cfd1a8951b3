#!/usr/bin/env bash
# The README's quickstart as a newcomer runs it, in a shell with nothing but HOME and PATH:
# `npm start` on the defaults, then in a second shell `npm run leash -- demo traffic` and the weekly
# report while Leash runs, then Ctrl-C. Fails loudly if any step does.
set -euo pipefail
cd "$(dirname "$0")/.."
clean=(env -i "HOME=$HOME" "PATH=$PATH")
data=.leash
if [ -e "$data" ]; then
  echo "quickstart-smoke: $data already exists here; run it on a fresh clone" >&2
  exit 1
fi
log=$(mktemp)
cleanup() {
  if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -rf "$data" "$log"
}
trap cleanup EXIT

setsid "${clean[@]}" npm start >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 180); do
  grep -q 'Leash is up at' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "quickstart-smoke: npm start exited" >&2; exit 1; }
  sleep 1
done
grep -q 'Leash is up at' "$log" || { cat "$log"; echo "quickstart-smoke: not up after 180 s" >&2; exit 1; }
url=$(grep -o 'Leash is up at http://[^ ]*' "$log" | awk '{print $5}')
hint=$(sed -n 's/^ *Send demo traffic: *//p' "$log")
echo "up at $url; banner says: $hint"
[ "$hint" = "npm run leash -- demo traffic" ] || { echo "quickstart-smoke: unexpected hint on defaults" >&2; exit 1; }
curl -fsS "$url/healthz" >/dev/null
curl -fsS "$url/" | grep -qi '<div id="root"' || { echo "quickstart-smoke: no dashboard at $url/" >&2; exit 1; }

"${clean[@]}" npm run --silent leash -- demo traffic --count 20 --concurrency 4 | tail -3
"${clean[@]}" npm run --silent leash -- report weekly --project default >/dev/null
echo "weekly report fetched while running"

# Ctrl-C in the terminal: SIGINT to the whole process group; Leash must exit 0.
kill -INT -- "-$pid"
status=0
wait "$pid" || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 130 ]; then
  tail -20 "$log"
  echo "quickstart-smoke: npm start exited $status after Ctrl-C" >&2
  exit 1
fi
grep -q 'shutting down' "$log" || { tail -20 "$log"; echo "quickstart-smoke: no clean shutdown" >&2; exit 1; }
pid=
echo "quickstart ok"
