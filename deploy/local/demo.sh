#!/usr/bin/env bash
# `make demo`: the whole system on this machine, without Docker.
# Starts PostgreSQL and RabbitMQ (if not running), builds, migrates, starts the workers and the
# API, drops the hand-written sample extracts of eight agencies (seven Mexican, Medellín's visits) and a synthetic population's extracts
# (src/SyntheticPopulation; DEMO_SYNTH_RECORDS rows, default 20000, 0 for none) into their inboxes, starts the agency API
# simulator (employment service, port 5082) and has the workers pull it, waits until everything
# is resolved, prints a summary and the API's address, and runs until Ctrl+C — then stops what it
# started. Running it again re-sends the same files and re-pulls the same pages: they are
# reported as duplicates and no count changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
services="deploy/local/services.sh"
state=".local/demo"
api_url="${DEMO_API_URL:-http://127.0.0.1:5080}"
workers_url="${DEMO_WORKERS_URL:-http://127.0.0.1:5081}"
simulator_url="${DEMO_SIMULATOR_URL:-http://127.0.0.1:5082}"
mkdir -p "$state/logs"

say() { printf '\033[1m[demo]\033[0m %s\n' "$*" >&2 || true; }

if ! command -v curl >/dev/null; then
  say "installing curl"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi

pids=()
started_services=0
cleanup() {
  trap - EXIT INT TERM
  # Ctrl+C may also have ended a pipe reader (make demo | tee): keep cleaning up regardless.
  trap '' PIPE INT
  say "stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $started_services == 1 ]]; then bash "$services" down || true; fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if ! bash "$services" status >/dev/null 2>&1; then
  bash "$services" up
  started_services=1
fi
eval "$(bash "$services" env)"

say "building (Release)"
dotnet build src/Ingest.Workers/Ingest.Workers.csproj -c Release -v quiet -nologo >/dev/null
dotnet build src/Registry.Api/Registry.Api.csproj -c Release -v quiet -nologo >/dev/null
dotnet build tests/AgencySimulator/AgencySimulator.csproj -c Release -v quiet -nologo >/dev/null
synth_records="${DEMO_SYNTH_RECORDS:-20000}"
if [[ $synth_records != 0 ]]; then
  dotnet build tests/Benchmarks/Benchmarks.csproj -c Release -v quiet -nologo >/dev/null
  # Same seed → same bytes: a second demo run re-sends identical files, reported as duplicates.
  say "generating a synthetic population's extracts ($synth_records rows, profile typical, every csv-drop feed; make synth)"
  rm -rf "$state/synth"
  dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll synth --out "$state/synth" --records "$synth_records" \
    --profile typical --seed 20261123 --feeds all >"$state/logs/synth.log"
fi

say "applying database migrations (as the owner)"
ConnectionStrings__RegistryOwner="$ConnectionStrings__Registry" dotnet src/Ingest.Workers/bin/Release/net10.0/Ingest.Workers.dll migrate
# Each host connects as its own role (services.sh keeps their passwords); the owner only migrated.
if [[ -z "${ConnectionStrings__RegistryWorkers:-}" || -z "${ConnectionStrings__RegistryApi:-}" ]]; then
  say "warning: services.sh env gave no host roles (services started by an older checkout?): the hosts connect as the owner"
  ConnectionStrings__RegistryWorkers="$ConnectionStrings__Registry" ConnectionStrings__RegistryApi="$ConnectionStrings__Registry"
fi

export Inbox__Root="$state/inbox" Inbox__ArchiveRoot="$state/archive" Feeds__DefinitionsPath="deploy/feeds"
export Registry__MigrateOnStart=false
# Demo upload keys (only their SHA-256 is configured): SSA-TAM → demo-ssa-key, DIF-TAM → demo-dif-key.
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
export Upload__ApiKeys__0__Agency=SSA-TAM Upload__ApiKeys__0__KeySha256="$(sha demo-ssa-key)"
export Upload__ApiKeys__1__Agency=DIF-TAM Upload__ApiKeys__1__KeySha256="$(sha demo-dif-key)"
# People sign in through the development issuer: seeded users (one per role), each with a password
# made up for this run (printed at the end), and a fresh signing key. The issuer refuses to run
# outside Development unless told, as here; never in production (use Auth__Authority).
# The session cookie stays Secure even on http://127.0.0.1: browsers treat loopback as a secure origin.
export Auth__DevIssuer__Enabled=true Auth__DevIssuer__AllowOutsideDevelopment=true
export Auth__DevIssuer__SigningKey="demo-$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)"
demo_users=(gestora.reynosa gestora.salud gestor.victoria coordinadora.lazos coordinador.reynosa ssa.datos dif.datos custodio auditora admin)
declare -A password
password_env=()
for user in "${demo_users[@]}"; do
  password[$user]="$(head -c 9 /dev/urandom | base64 | tr '+/' '-_')"
  # User names hold dots, which a shell variable cannot: they reach the API through env(1).
  password_env+=("Auth__DevIssuer__Passwords__$user=${password[$user]}")
done
# DCI Social Registry API: UINs are the conformance feed's person ids (deploy/feeds/spdci-conformidad.json, a sample like the
# others); callbacks only to partners on this machine.
export Dci__UinAgency=SPDCI-CONFORMIDAD Dci__CallbackHosts__0=127.0.0.1 Dci__CallbackHosts__1=localhost
# The employment service's API (simulated) and where its key lives: configuration, never the feed file.
export AgencyApis__SNE__BaseUrl="$simulator_url" AgencyApis__SNE__ApiKey=demo-sne-key
# The resolution queues are quorum queues now; a broker kept from an older demo holds them as classic queues,
# which RabbitMQ does not convert (the workers would fail to start): remove the demo's own classic ones while empty.
if [[ -n "${RabbitMq__ManagementUri:-}" ]]; then
  for queue in resolve-source-rows chunk-fault; do
    info="$(curl -s "${RabbitMq__ManagementUri%/}/api/queues/%2F/$queue" || true)"
    [[ $info == *'"type":"classic"'* ]] || continue
    if [[ $info == *'"messages":0,'* ]]; then
      say "removing the old classic queue $queue (it is declared as a quorum queue now)"
      curl -s -X DELETE "${RabbitMq__ManagementUri%/}/api/queues/%2F/$queue" >/dev/null || true
    else
      # Never drop messages silently: say what holds the workers back and how to go on.
      messages="$(sed -n 's/.*"messages":\([0-9]*\),.*/\1/p' <<<"$info" | head -n 1)"
      say "the broker still holds $queue as an old classic queue with ${messages:-some} messages; the workers declare it as a"
      say "quorum queue now and cannot start beside it. They are from an earlier run on this machine's demo broker:"
      say "  look at them:  ${RabbitMq__ManagementUri%/}/#/queues/%2F/$queue (management UI), or"
      say "  drop them:     curl -X DELETE '${RabbitMq__ManagementUri%/}/api/queues/%2F/$queue'   then run make demo again"
      exit 1
    fi
  done
fi

say "starting the agency API simulator ($simulator_url), workers ($workers_url) and API ($api_url); logs in $state/logs/"
dotnet tests/AgencySimulator/bin/Release/net10.0/AgencySimulator.dll --urls "$simulator_url" --Simulator:ApiKey=demo-sne-key \
  >"$state/logs/simulator.log" 2>&1 &
pids+=($!)
# The workers host runs with its garbage-collector settings (deploy/workers-runtime.env).
env $(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' deploy/workers-runtime.env) \
  ConnectionStrings__Registry="$ConnectionStrings__RegistryWorkers" \
  dotnet src/Ingest.Workers/bin/Release/net10.0/Ingest.Workers.dll --urls "$workers_url" >"$state/logs/workers.log" 2>&1 &
pids+=($!)
env "${password_env[@]}" ConnectionStrings__Registry="$ConnectionStrings__RegistryApi" \
  dotnet src/Registry.Api/bin/Release/net10.0/Registry.Api.dll --urls "$api_url" >"$state/logs/api.log" 2>&1 &
pids+=($!)

wait_ready() {
  local url=$1 name=$2
  for _ in $(seq 1 120); do
    if curl -fsS "$url/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  say "$name did not become ready; last log lines:"; tail -n 30 "$state/logs/$name.log" >&2; exit 1
}
wait_ready "$workers_url" workers
wait_ready "$api_url" api
for _ in $(seq 1 60); do curl -fsS "$simulator_url/" >/dev/null 2>&1 && break; sleep 0.5; done

# The API needs a signed-in user for everything but health and its docs: the demo reads as admin.
token="$(curl -fsS -d username=admin --data-urlencode "password=${password[admin]}" "$api_url/auth/token" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')"
auth=(-H "Authorization: Bearer $token")

dropped=0
for folder in deploy/samples/*/ "$state"/synth/*/; do
  [[ -d $folder ]] || continue
  feed="$(basename "$folder")"
  mkdir -p "$state/inbox/$feed"
  for file in "$folder"*; do
    name="$(basename "$file")"
    # Agencies write *.part and rename, so a half-written file is never read.
    cp "$file" "$state/inbox/$feed/$name.part" && mv "$state/inbox/$feed/$name.part" "$state/inbox/$feed/$name"
    dropped=$((dropped + 1))
  done
  say "dropped $(ls "$folder" | wc -l) file(s) into the $feed inbox ($folder)"
done

# api-pull feeds run on their schedule (Hangfire); the demo also asks for a pull now.
pull_feed=sne-capacitacion
runs_done() { curl -fsS "$workers_url/feeds/$pull_feed/pull" | grep -o '"runsCompleted":[0-9]*' | cut -d: -f2; }
runs_before="$(runs_done || echo 0)"
curl -fsS -X POST "$workers_url/feeds/$pull_feed/pull" >/dev/null
say "pulling $pull_feed from the agency API simulator (a Hangfire job; see $api_url/hangfire)"
for _ in $(seq 1 120); do
  if [[ "$(runs_done || echo 0)" -gt "${runs_before:-0}" ]]; then break; fi
  if curl -fsS "$workers_url/feeds/$pull_feed/pull" | grep -q '"lastError":"'; then
    say "the pull stopped: $(curl -fsS "$workers_url/feeds/$pull_feed/pull" | grep -o '"lastError":"[^"]*"')"; break
  fi
  sleep 0.5
done

say "waiting for the extracts to be resolved (progress every 10 s; also on $api_url/extractos)"
resolved=0
for i in $(seq 1 1200); do
  left=$(find "$state/inbox" -type f | wc -l)
  pending=$(curl -fsS "${auth[@]}" "$api_url/api/summary" | grep -o '"extractsPending":[0-9]*' | cut -d: -f2)
  if [[ $left == 0 && ${pending:-1} == 0 ]]; then resolved=1; break; fi
  if (( i % 20 == 0 )); then say "$left file(s) still in the inboxes, ${pending:-?} extract(s) being resolved"; fi
  sleep 0.5
done
if [[ $resolved == 0 ]]; then say "still resolving after 10 minutes; the summary below is partial (see $state/logs/workers.log)"; fi

echo
curl -fsS "${auth[@]}" "$api_url/api/summary.txt"
cat <<MSG

Web UI:         $api_url/login   (Spanish; "English" in the top bar)
  sign in as    user name         password (this run only)
                gestora.reynosa   ${password[gestora.reynosa]}   case manager, REYNOSA (health and security detail hidden)
                gestora.salud     ${password[gestora.salud]}   case manager, REYNOSA + MATAMOROS, sees health and security detail
                gestor.victoria   ${password[gestor.victoria]}   case manager, VICTORIA
                coordinadora.lazos  ${password[coordinadora.lazos]}   coordinator, REYNOSA + VICTORIA (coverage aggregates only)
                coordinador.reynosa ${password[coordinador.reynosa]}   coordinator and case manager, REYNOSA (gaps down to households)
                ssa.datos         ${password[ssa.datos]}   agency data officer, SSA-TAM (its own extracts)
                dif.datos         ${password[dif.datos]}   agency data officer, DIF-TAM
                custodio          ${password[custodio]}   steward
                auditora          ${password[auditora]}   auditor (access log)
                admin             ${password[admin]}   admin
  note          5 wrong passwords in a row lock a user for 15 minutes
  try           search "Ximena Gonsalez" → household → "rastrear" (as auditora) → file and row
Coverage:       $api_url/cobertura?municipio=REYNOSA   (sign in as coordinadora.lazos; JSON: $api_url/api/coverage?municipality=REYNOSA)
API:            $api_url   (interactive reference: $api_url/scalar, OpenAPI: $api_url/openapi/v1.json)
Token:          curl -d username=gestora.reynosa -d password=${password[gestora.reynosa]} $api_url/auth/token
Find a family:  curl -H "Authorization: Bearer <token>" -H 'X-Purpose: seguimiento' '$api_url/api/households?name=ximena%20gonzalez'
DCI (SPDCI):    $api_url/dci/   Social Registry API v1.0.0 (registry/sync/search, search, subscribe, unsubscribe, txn/status)
  try           curl -H "Authorization: Bearer <token>" -H 'Content-Type: application/json' $api_url/dci/registry/sync/search -d \
                  '{"header":{"version":"1.0.0","message_id":"m1","message_ts":"2026-11-30T12:00:00Z","action":"search","sender_id":"spmis-demo","total_count":1},
                    "message":{"transaction_id":"t1","search_request":[{"reference_id":"r1","timestamp":"2026-11-30T12:00:00Z",
                    "search_criteria":{"query_type":"idtype-value","query":{"type":"UIN","value":"TEST-001"}}}]}}'
FHIR R4:        $api_url/fhir/   (POST Patient/\$match, GET Patient/{id}; send X-Purpose)
Extracts:       $api_url/api/extracts   (agency, steward, auditor, admin)
Workers health: $workers_url/health/ready
Jobs:           $api_url/hangfire   (Hangfire dashboard, read-only; sign in as admin)
Agency API:     $simulator_url/api/v1/participaciones  (simulator; X-Api-Key: demo-sne-key)
Pull again:     curl -X POST $workers_url/feeds/$pull_feed/pull     (cursor: GET the same URL)
Faults:         curl -H 'Content-Type: application/json' -d '{"serverErrors":3,"timeouts":1}' $simulator_url/admin/faults
Inbox:          $state/inbox/<feed>/   (drop more CSV files here while the demo runs)
Upload:         curl -H 'X-Api-Key: demo-ssa-key' --data-binary @deploy/samples/ssa-consultas/consultas-2026-10.csv \\
                  '$workers_url/feeds/ssa-consultas/extracts?fileName=consultas.csv'

Running. Press Ctrl+C to stop.
MSG
wait "${pids[@]}"
