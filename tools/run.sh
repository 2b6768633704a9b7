#!/usr/bin/env bash
# Installs what is missing, builds, starts wijkflowd on ./data with a simulated clock, loads a
# small real scenario through the HTTP API (tools/demo-scenario.sh), prints curl commands to try,
# and keeps the server in the foreground until Ctrl-C (which shuts it down gracefully).
#
#   tools/run.sh [PORT]        default port 8080
#
# The first run creates ./data (the event store, the tokens file with an admin token, one token
# per demo system) and loads the scenario; later runs serve what ./data holds. The wijkflow tools
# read it too, e.g. build/bin/wijkflow report --html --data ./data --district feijenoord.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8080}
data=./data
url="http://127.0.0.1:$port"

tools/install-deps.sh
tools/build.sh build
bin=build/bin/wijkflowd

fresh=0
[[ -f $data/CURRENT ]] || fresh=1
# A simulated clock for the demo: the scenario starts in January 2023; a restarted demo goes on
# from where the scenario left the clock.
clock_start=2023-01-01T09:00:00Z
[[ $fresh == 1 ]] || clock_start=2024-03-01T00:00:00Z
mkdir -p "$data"
log=$data/wijkflowd.log
"$bin" --data "$data" --port "$port" --clock simulated --clock-start "$clock_start" \
  --log-format json 2>>"$log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' INT TERM
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || { echo "run.sh: wijkflowd did not start; see $log" >&2; exit 1; }
  sleep 0.1
done

# One token per calling system of the demo, kept (mode 0600) in data/demo-tokens.env.
tokens_env=$data/demo-tokens.env
if [[ ! -f $tokens_env ]]; then
  umask 077
  issue() { "$bin" issue-token --tokens "$data/tokens" --system "$1" --roles "$2" --districts "$3"; }
  {
    echo "ADMIN_TOKEN=$(cat "$data/tokens.admin")"
    echo "MIJN_ROTTERDAM_TOKEN=$(issue mijn-rotterdam applicant,publisher '*')"
    echo "OPZOOMER_TOKEN=$(issue opzoomer-mee intake '*')"
    echo "COUNCIL_FEIJENOORD_TOKEN=$(issue wijkraad-feijenoord district-council feijenoord)"
    echo "COUNCIL_CHARLOIS_TOKEN=$(issue wijkraad-charlois district-council charlois)"
    echo "MANAGER_TOKEN=$(issue wijkmanagers district-manager feijenoord,charlois)"
    echo "COLLEGE_TOKEN=$(issue college executive '*')"
    echo "WIJKMT_TOKEN=$(issue wijkmt-feijenoord district-team feijenoord)"
    echo "AUDITOR_TOKEN=$(issue audit auditor '*')"
  } >"$tokens_env"
  kill -HUP $pid  # the server reads the tokens file again
  sleep 0.5
fi
set -a
# shellcheck disable=SC1090
source "$tokens_env"
set +a

if [[ $fresh == 1 ]]; then
  WIJKFLOW_URL=$url tools/demo-scenario.sh
fi

cat <<EOF

wijkflowd is serving $url (data in $data, logs in $log, tokens in $tokens_env).
Try, for instance:

  export AUDITOR_TOKEN=$AUDITOR_TOKEN
  curl -s $url/healthz
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" $url/v1/workflows | head -c 600; echo
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" $url/v1/initiatives/ini-2023-0101
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" "$url/v1/initiatives/ini-2023-0102?asOf=2023-11-01T00:00:00Z"
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" $url/v1/initiatives/ini-2023-0102/events
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" "$url/v1/initiatives?district=feijenoord&state=published"
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" "$url/v1/projections/round-budget?prefix=budget/"
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" "$url/v1/projections/decision-register?prefix=by-district/feijenoord/"
  curl -s -H "Authorization: Bearer \$AUDITOR_TOKEN" $url/v1/workflows/initiatives/diagram
  curl -sN -H "Authorization: Bearer \$AUDITOR_TOKEN" -H "Accept: text/event-stream" "$url/v1/events?from=1"
  curl -s $url/metrics | grep wijkflow_commands_total
  curl -s $url/openapi.json | head -c 400; echo

  # a new initiative, as Mijn Rotterdam sends it (run it twice: the second answer is the first)
  curl -s -X POST $url/v1/initiatives/ini-2024-0301/commands/Submit \\
    -H "Authorization: Bearer $MIJN_ROTTERDAM_TOKEN" -H "X-Actor-Role: applicant" \\
    -H "X-Actor-Id: res-0301" -H "Idempotency-Key: try-1" -H "Content-Type: application/json" \\
    -d '{"district":"charlois","roundId":"charlois-2024-1","title":"Buurtfeest","requestedCents":"90000","channel":"CHANNEL_DIGITAL","applicant":{"id":"res-0301","name":"Lotte","email":"lotte@example.org"}}'

Ctrl-C stops the server (gracefully).
EOF
wait $pid || true  # returns early when Ctrl-C runs the trap ...
wait $pid 2>/dev/null || true  # ... and this waits for the graceful shutdown to finish
