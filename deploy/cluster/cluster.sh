#!/usr/bin/env bash
# A cluster on one machine (issue 25), for fault tests: from Debian's packages, on loopback, with all
# state in the git-ignored <repo>/.local/cluster/, each server as its own system user:
#
#   PostgreSQL 15   a primary and a streaming-replication standby (pg_basebackup -R, a replication
#                   slot, hot_standby); the hosts reach whichever is primary through Npgsql's
#                   multi-host string (Target Session Attributes=read-write)
#   RabbitMQ 3.10   three nodes joined into one cluster (join_cluster), one epmd of our own; the hosts
#                   get the node list and declare quorum queues (Bus:QuorumQueues)
#   the hosts       two workers processes and two API processes (Release builds of src/Ingest.Workers
#                   and src/Registry.Api), each its own role, migrated as the owner
#
#   deploy/cluster/cluster.sh up | down | status | env
#     up       start what is not running (PostgreSQL pair, RabbitMQ cluster, migrations, hosts); idempotent
#     down     stop everything it started; fine when nothing runs
#     status   one line per part; exit 0 if all run, 3 otherwise
#     env      the `export ...` lines for the connection settings (for eval)
#   fault helpers (make cluster-test drives them):
#     pg-failover          stop the primary (pg_ctl stop -m fast), promote the standby (pg_ctl promote);
#                          the old primary stays down until the next `up` rebuilds it as the new standby
#     pg-rejoin            rebuild the stopped old primary as the standby of the current one, start it
#     rabbit-kill N        kill -9 RabbitMQ node N (1..3);   rabbit-start N   start it again (it rejoins)
#     worker-kill N        kill -9 workers process N (1..2); worker-start N   start it again
#     hosts-stop | hosts-start        the four host processes only
#     reset-registry       hosts stopped, database `registry` dropped and migrated afresh, the broker's
#                          queues deleted, hosts started: a clean slate for a test run
#
# Ports (defaults; override with CLUSTER_* variables, see below): PostgreSQL 26432 (first primary) and
# 26433; RabbitMQ AMQP 26672/26682/26692, management 26673/26683/26693, distribution 26670/26680/26690,
# epmd 26669, CLI distribution 26700-26710; workers 26181/26191, API 26180/26190. All below Linux's
# ephemeral range (32768-60999): a port in it can be taken as the source port of any outgoing connection
# (a health probe's curl left one in TIME_WAIT on a host's port, and the host could not bind it on restart).
#
# Inboxes: each workers process watches its own inbox root (.local/cluster/inbox/w1 and /w2); both
# archive into one shared folder (.local/cluster/archive), which is where a worker that recovers another's
# unfinished parse reads the file. Two scanners on one inbox take each file once (a scanner claims a file by
# renaming it before receiving it). CLUSTER_SHARED_INBOX=1 gives both workers one inbox root
# (.local/cluster/inbox/shared) instead, to check that claim (make cluster-test reports the receipts).
set -euo pipefail

script_dir="$(CDPATH='' cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)"
root="$(CDPATH='' cd -- "$script_dir/../.." && pwd)"
state="$root/.local/cluster"

pg_ports=(${CLUSTER_PG_PORTS:-26432 26433})
amqp_ports=(${CLUSTER_AMQP_PORTS:-26672 26682 26692})
mgmt_ports=(${CLUSTER_MGMT_PORTS:-26673 26683 26693})
dist_ports=(${CLUSTER_DIST_PORTS:-26670 26680 26690})
epmd_port="${CLUSTER_EPMD_PORT:-26669}"
ctl_dist_min="${CLUSTER_CTL_DIST_PORT_MIN:-26700}"
worker_ports=(${CLUSTER_WORKER_PORTS:-26181 26191})
api_ports=(${CLUSTER_API_PORTS:-26180 26190})
# A parsed extract still missing chunks while none was applied this long gets them re-sent
# (Inbox:StalledExtractAfter, default 1 min); shorter here so a fault test does not wait a minute.
stalled_after="${CLUSTER_STALLED_AFTER:-00:00:20}"
# A parse holds its extract this long (Inbox:ParseLease, default 30 s); a killed worker's parse is taken up
# by the other one after it.
parse_lease="${CLUSTER_PARSE_LEASE:-00:00:15}"
# Rows per chunk: smaller than the default 2000 so a few thousand rows make many chunks in flight.
chunk_size="${CLUSTER_CHUNK_SIZE:-500}"

rmq_bin=/usr/lib/rabbitmq/bin
database=registry

say() { echo "[cluster] $*" >&2 || true; }
die() { say "error: $*"; exit 1; }

pg_bin="$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
as_user() { local user="$1"; shift; (cd / && runuser -u "$user" -- "$@") 9>&-; }
alive() { [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_free_port() { if port_busy "$1"; then die "127.0.0.1:$1 is already in use by another program; set $2"; fi; }
now_ms() { date +%s%3N; }

take_lock() {
  mkdir -p "$state"
  exec 9>"$state/.lock"
  flock -w 300 9 || die "another cluster.sh still holds $state/.lock"
}

install_missing() {
  local packages=()
  [[ -x "$pg_bin/initdb" ]] && id postgres >/dev/null 2>&1 || packages+=(postgresql)
  [[ -x "$rmq_bin/rabbitmq-server" ]] && id rabbitmq >/dev/null 2>&1 || packages+=(rabbitmq-server)
  command -v curl >/dev/null || packages+=(curl)
  ((${#packages[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "${packages[*]} missing; run as root so they can be installed"
  say "installing ${packages[*]} from Debian's packages"
  local policy=/usr/sbin/policy-rc.d added=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1; fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" </dev/null; } >&2 || rc=$?
  if ((added)); then rm -f "$policy"; fi
  ((rc == 0)) || die "apt-get install ${packages[*]} failed"
  pg_bin="$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
}

# The service users must be able to walk down to the state folder (traverse only).
ensure_traversable() {
  local d="" part
  local -a parts
  IFS=/ read -r -a parts <<<"${state#/}"
  for part in "${parts[@]}"; do
    [[ -n "$part" ]] || continue
    d="$d/$part"
    for user in postgres rabbitmq; do
      if ! as_user "$user" test -x "$d"; then chmod o+x "$d"; say "note: added o+x to $d"; break; fi
    done
  done
}

# Passwords made once per state folder, root only: the hosts' roles, replication, the API's dev issuer.
secrets="$state/secrets.env"
secret() {
  if [[ ! -s "$secrets" ]]; then
    mkdir -p "$state"
    (umask 077 && for name in workers api replicator admin signing; do
      echo "$name=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"; done >"$secrets")
  fi
  sed -n "s/^$1=//p" "$secrets"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: nodes a (first port) and b (second port); $state/pg/primary names the primary.
# ---------------------------------------------------------------------------------------------
pg_root="$state/pg"
pg_node_port() { [[ $1 == a ]] && echo "${pg_ports[0]}" || echo "${pg_ports[1]}"; }
pg_data() { echo "$pg_root/$1/data"; }
pg_other() { [[ $1 == a ]] && echo b || echo a; }
pg_primary() { if [[ -s "$pg_root/primary" ]]; then cat "$pg_root/primary"; else echo a; fi; }
pg() { as_user postgres "$@"; }
pg_running() { [[ -f "$(pg_data "$1")/postmaster.pid" ]] && pg "$pg_bin/pg_ctl" -D "$(pg_data "$1")" status >/dev/null 2>&1; }
pg_sql() { local node=$1; shift; pg "$pg_bin/psql" -h "$pg_root/$node" -p "$(pg_node_port "$node")" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }
pg_in_recovery() { [[ "$(pg_sql "$1" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" == t ]]; }

pg_start() {
  local node=$1 port; port="$(pg_node_port "$node")"
  if pg_running "$node"; then return 0; fi
  require_free_port "$port" CLUSTER_PG_PORTS
  # Throw-away data: no fsync. full_page_writes stays on (pg_basebackup needs it), wal_log_hints on
  # (pg_rewind could bring an old primary back). One replication slot per standby.
  pg "$pg_bin/pg_ctl" -D "$(pg_data "$node")" -l "$pg_root/$node/postgres.log" -w -t 120 -o "-p $port -c listen_addresses=127.0.0.1 \
-k '$pg_root/$node' -c max_connections=300 -c shared_buffers=512MB -c fsync=off -c synchronous_commit=off \
-c wal_level=replica -c max_wal_senders=5 -c max_replication_slots=5 -c hot_standby=on -c wal_log_hints=on \
-c max_wal_size=2GB -c cluster_name=registry-$node -c log_lock_waits=on -c log_min_duration_statement=5000" start >/dev/null \
    || { tail -n 20 "$pg_root/$node/postgres.log" >&2; die "PostgreSQL $node did not start"; }
}

pg_stop() {
  local node=$1 mode=${2:-fast}
  if pg_running "$node"; then pg "$pg_bin/pg_ctl" -D "$(pg_data "$node")" -m "$mode" -w -t 60 stop >/dev/null; fi
}

pg_init_primary() {
  local node=$1
  mkdir -p "$pg_root/$node"; chown postgres:postgres "$pg_root/$node"; chmod 700 "$pg_root/$node"
  say "initialising PostgreSQL $node (primary) in $(pg_data "$node")"
  pg "$pg_bin/initdb" -D "$(pg_data "$node")" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$pg_root/$node/initdb.log" 2>&1 \
    || { tail -n 20 "$pg_root/$node/initdb.log" >&2; die "initdb failed"; }
}

# Roles and the database, on the primary (the standby gets them by replication). The owner `registry`
# migrates; registry_workers / registry_api are the hosts' roles (the migrator grants them).
pg_roles() {
  local node=$1
  pg_sql "$node" -v workers_pw="$(secret workers)" -v api_pw="$(secret api)" -v repl_pw="$(secret replicator)" >/dev/null <<'SQL' \
    || die "could not create the roles"
SELECT 'CREATE ROLE registry' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry') \gexec
ALTER ROLE registry LOGIN SUPERUSER PASSWORD 'registry';
SELECT 'CREATE ROLE replicator' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE replicator LOGIN REPLICATION PASSWORD :'repl_pw';
SELECT 'CREATE ROLE registry_workers LOGIN NOINHERIT' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry_workers') \gexec
SELECT 'CREATE ROLE registry_api LOGIN NOINHERIT' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry_api') \gexec
SELECT 'CREATE ROLE registry_stewardship NOLOGIN NOINHERIT' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry_stewardship') \gexec
GRANT registry_stewardship TO registry_api;
ALTER ROLE registry_workers LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'workers_pw';
ALTER ROLE registry_api LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'api_pw';
SELECT 'CREATE DATABASE registry OWNER registry' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'registry') \gexec
SQL
}

# A fresh standby of the primary: base backup over the replication protocol with -R (standby.signal
# and primary_conninfo written) and a replication slot, so the primary keeps WAL the standby still needs.
pg_build_standby() {
  local node=$1 primary; primary="$(pg_other "$1")"
  pg_stop "$node" immediate
  rm -rf "$(pg_data "$node")"
  mkdir -p "$pg_root/$node"; chown postgres:postgres "$pg_root/$node"; chmod 700 "$pg_root/$node"
  local slot="standby_$node"
  pg_sql "$primary" -c "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null
  say "building PostgreSQL $node as the standby of $primary (pg_basebackup -R, slot $slot)"
  # -R writes standby.signal, primary_conninfo and (with -S) primary_slot_name.
  pg env PGPASSWORD="$(secret replicator)" "$pg_bin/pg_basebackup" \
    -h 127.0.0.1 -p "$(pg_node_port "$primary")" -U replicator -D "$(pg_data "$node")" \
    -R -X stream -C -S "$slot" -c fast >"$pg_root/$node/basebackup.log" 2>&1 \
    || { tail -n 20 "$pg_root/$node/basebackup.log" >&2; die "pg_basebackup failed"; }
}

pg_wait_streaming() {
  local primary=$1 standby=$2
  for _ in $(seq 1 120); do
    if [[ "$(pg_sql "$primary" -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null)" -ge 1 ]]; then return 0; fi
    sleep 0.5
  done
  die "standby $standby is not streaming from $primary (log: $pg_root/$standby/postgres.log)"
}

pg_up() {
  mkdir -p "$pg_root"
  local primary standby; primary="$(pg_primary)"; standby="$(pg_other "$primary")"
  if [[ ! -f "$(pg_data "$primary")/PG_VERSION" ]]; then pg_init_primary "$primary"; fi
  [[ ! -f "$(pg_data "$primary")/standby.signal" ]] || die "$(pg_data "$primary") is a standby, yet $pg_root/primary names it"
  pg_start "$primary"
  pg_roles "$primary"
  echo "$primary" >"$pg_root/primary"
  # The standby: start it if it is one; otherwise (never built, or the old primary after a failover) build it.
  if ! pg_running "$standby" || ! pg_in_recovery "$standby"; then
    if [[ ! -f "$(pg_data "$standby")/standby.signal" ]] || pg_running "$standby"; then pg_build_standby "$standby"; fi
    pg_start "$standby"
  fi
  pg_wait_streaming "$primary" "$standby"
  say "PostgreSQL primary $primary on 127.0.0.1:$(pg_node_port "$primary"), standby $standby on 127.0.0.1:$(pg_node_port "$standby") (streaming)"
}

pg_down() {
  local node
  for node in a b; do
    if pg_running "$node"; then pg_stop "$node" fast; say "PostgreSQL $node stopped"; fi
  done
}

# Stop the primary, promote the standby; prints the milliseconds the promotion took.
pg_failover() {
  local primary standby t0; primary="$(pg_primary)"; standby="$(pg_other "$primary")"
  pg_running "$standby" && pg_in_recovery "$standby" || die "no running standby to promote"
  t0=$(now_ms)
  pg_stop "$primary" fast
  local stopped=$(now_ms)
  pg "$pg_bin/pg_ctl" -D "$(pg_data "$standby")" -w -t 60 promote >/dev/null || die "promotion of $standby failed"
  echo "$standby" >"$pg_root/primary"
  local promoted=$(now_ms)
  say "PostgreSQL $primary stopped in $((stopped - t0)) ms; $standby promoted in $((promoted - stopped)) ms: primary is now 127.0.0.1:$(pg_node_port "$standby")"
  echo "stop_ms=$((stopped - t0)) promote_ms=$((promoted - stopped))"
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ: nodes cluster1..3@localhost, one epmd of our own, a shared Erlang cookie (in HOME).
# ---------------------------------------------------------------------------------------------
rmq_root="$state/rabbitmq"
rmq_node() { echo "cluster$1@localhost"; }
rmq_dir() { echo "$rmq_root/node$1"; }
# Every RabbitMQ command (server and CLI) runs as 'rabbitmq' with only this environment (env -i), so
# node N's name, ports and files are ours and nothing from /etc/rabbitmq or the caller leaks in.
rmq_env() {
  local n=$1 dir; dir="$(rmq_dir "$1")"
  renv=(
    PATH=/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 LC_ALL=C.UTF-8
    HOME="$rmq_root"                                   # the cluster's one .erlang.cookie lives here
    RABBITMQ_NODENAME="$(rmq_node "$n")"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="${amqp_ports[$((n - 1))]}"
    RABBITMQ_DIST_PORT="${dist_ports[$((n - 1))]}" ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1
    # The CLI's own distribution ports: ours, not the default 35672-35682 other checkouts' CLIs use.
    RABBITMQ_CTL_DIST_PORT_MIN="$ctl_dist_min" RABBITMQ_CTL_DIST_PORT_MAX="$((ctl_dist_min + 10))"
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$rmq_root/enabled_plugins" RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
    RABBITMQ_CONF_ENV_FILE="$rmq_root/rabbitmq-env.conf"   # empty: /etc/rabbitmq/rabbitmq-env.conf stays out
    ERL_CRASH_DUMP="$dir/log/erl_crash.dump"
  )
}
rmqctl() { local n=$1 renv; shift; rmq_env "$n"; as_user rabbitmq env -i "${renv[@]}" "$rmq_bin/rabbitmqctl" "$@"; }
rmq_pid() {
  local f; f="$(rmq_dir "$1")/rabbitmq.pid"
  [[ -f "$f" ]] || return 0
  local pid; pid="$(tr -dc 0-9 <"$f")"
  if [[ -n "$pid" ]] && alive "$pid" && [[ "$(stat -c %U "/proc/$pid")" == rabbitmq ]]; then echo "$pid"; fi
}
rmq_running() { [[ -n "$(rmq_pid "$1")" ]] && rmqctl "$1" -q ping >/dev/null 2>&1; }

rmq_prepare() {
  mkdir -p "$rmq_root"
  local n dir
  for n in 1 2 3; do
    dir="$(rmq_dir "$n")"; mkdir -p "$dir/mnesia" "$dir/log"
    cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:${amqp_ports[$((n - 1))]}
management.tcp.ip = 127.0.0.1
management.tcp.port = ${mgmt_ports[$((n - 1))]}
default_user = registry
default_pass = registry
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
# Three nodes: the side of a partition without a majority pauses (quorum queues need a majority anyway).
cluster_partition_handling = pause_minority
log.file.level = info
CONF
    echo '[].' >"$dir/advanced.config"
  done
  echo '[rabbitmq_management].' >"$rmq_root/enabled_plugins"
  : >"$rmq_root/rabbitmq-env.conf"
  if [[ ! -s "$rmq_root/.erlang.cookie" ]]; then tr -dc '[:upper:]' </dev/urandom | head -c 20 >"$rmq_root/.erlang.cookie" || true; fi
  chown -R rabbitmq:rabbitmq "$rmq_root"
  chmod 700 "$rmq_root"
  chmod 400 "$rmq_root/.erlang.cookie"
}

# Starts node N in the background (its own session, no stdin); returns at once.
rmq_launch() {
  local n=$1 dir; dir="$(rmq_dir "$n")"
  require_free_port "${amqp_ports[$((n - 1))]}" CLUSTER_AMQP_PORTS
  require_free_port "${mgmt_ports[$((n - 1))]}" CLUSTER_MGMT_PORTS
  require_free_port "${dist_ports[$((n - 1))]}" CLUSTER_DIST_PORTS
  rm -f "$dir/rabbitmq.pid"
  local renv; rmq_env "$n"
  (cd / && exec setsid runuser -u rabbitmq -- env -i "${renv[@]}" "$rmq_bin/rabbitmq-server") \
    </dev/null >>"$dir/log/startup.log" 2>&1 9>&- &
}

rmq_await() {
  local n=$1 started=$SECONDS
  while (( SECONDS - started < 180 )); do
    if rmqctl "$n" -q await_startup --timeout 5 >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  tail -n 20 "$(rmq_dir "$n")/log/startup.log" >&2 || true
  die "RabbitMQ node $n did not start (logs: $(rmq_dir "$n")/log/)"
}

rmq_members() { rmqctl 1 -q cluster_status --formatter json 2>/dev/null | grep -o '"running_nodes":\[[^]]*\]' || true; }

rmq_up() {
  rmq_prepare
  local n started=$SECONDS launched=()
  # All at once: nodes of an existing cluster wait for each other at boot.
  for n in 1 2 3; do
    if ! rmq_running "$n"; then
      if [[ -z "$(rmq_pid "$n")" ]]; then rmq_launch "$n"; launched+=("$n"); fi
    fi
  done
  for n in 1 2 3; do rmq_await "$n"; done
  # Join nodes 2 and 3 to node 1 unless already in its cluster.
  for n in 2 3; do
    if ! rmqctl 1 -q cluster_status 2>/dev/null | grep -q "$(rmq_node "$n")"; then
      say "joining $(rmq_node "$n") to $(rmq_node 1)"
      { rmqctl "$n" -q stop_app && rmqctl "$n" -q reset && rmqctl "$n" -q join_cluster "$(rmq_node 1)" \
          && rmqctl "$n" -q start_app; } >>"$rmq_root/join.log" 2>&1 || die "could not join node $n (log: $rmq_root/join.log)"
    fi
  done
  rmqctl 1 -q change_password registry registry >/dev/null 2>&1 || rmqctl 1 -q add_user registry registry >/dev/null
  rmqctl 1 -q set_user_tags registry administrator >/dev/null
  rmqctl 1 -q set_permissions -p / registry '.*' '.*' '.*' >/dev/null
  if rmqctl 1 -q list_users --no-table-headers | awk '{print $1}' | grep -qx guest; then rmqctl 1 -q delete_user guest >/dev/null; fi
  # A queue is declared once with its type: a classic one left by hosts from before Bus:QuorumQueues would make
  # theirs fail to start (PRECONDITION_FAILED x-queue-type). Empty ones go; one holding messages stops us.
  local name type messages
  while read -r name type messages; do
    [[ -n "$name" && "$type" == classic ]] || continue
    if [[ "$messages" == 0 ]]; then rmqctl 1 -q delete_queue "$name" </dev/null >/dev/null && say "deleted the empty classic queue $name (the hosts declare quorum queues)"
    else die "classic queue $name holds $messages message(s); the hosts declare quorum queues: move or purge them first"; fi
  done < <(rmqctl 1 -q list_queues name type messages --no-table-headers 2>/dev/null)
  say "RabbitMQ cluster up ($((SECONDS - started)) s): $(rmq_members)"
}

rmq_kill() {
  local n=$1 pid; pid="$(rmq_pid "$n")"
  [[ -n "$pid" ]] || die "RabbitMQ node $n is not running"
  kill -KILL "$pid"
  for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
  say "killed RabbitMQ node $n ($(rmq_node "$n"), pid $pid) with SIGKILL"
}

rmq_start_one() {
  local n=$1
  if rmq_running "$n"; then return 0; fi
  rmq_prepare
  rmq_launch "$n"
  rmq_await "$n"
  say "RabbitMQ node $n back: $(rmq_members)"
}

# Our epmd: the rabbitmq user's epmd with our port in its environment.
our_epmd_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ "$(cat "$p/comm" 2>/dev/null)" == epmd ]] || continue
    [[ "$(stat -c %U "$p" 2>/dev/null)" == rabbitmq ]] || continue
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx -e "ERL_EPMD_PORT=$epmd_port"; then
      if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -q "^RABBITMQ_MNESIA_BASE=$rmq_root/"; then echo "${p#/proc/}"; fi
    fi
  done
}

rmq_down() {
  local n pid
  for n in 3 2 1; do
    if rmq_running "$n"; then rmqctl "$n" -q shutdown --timeout 60 >/dev/null 2>&1 || true; say "RabbitMQ node $n stopped"; fi
    pid="$(rmq_pid "$n")"
    if [[ -n "$pid" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for pid in $(our_epmd_pids); do kill -TERM "$pid" 2>/dev/null || true; done
}

# ---------------------------------------------------------------------------------------------
# The hosts
# ---------------------------------------------------------------------------------------------
run_dir="$state/run"
log_dir="$state/logs"
workers_dll="$root/src/Ingest.Workers/bin/Release/net10.0/Ingest.Workers.dll"
api_dll="$root/src/Registry.Api/bin/Release/net10.0/Registry.Api.dll"

pg_hosts() { echo "127.0.0.1:${pg_ports[0]},127.0.0.1:${pg_ports[1]}"; }
# Npgsql: try the hosts in order, use the one that accepts writes; a failed host is rechecked after 2 s.
pg_cs() {
  echo "Host=$(pg_hosts);Target Session Attributes=read-write;Host Recheck Seconds=2;Username=$1;Password=$2;Database=${3:-$database}"
}
# The broker as a node list (MassTransit's UseCluster); CLUSTER_AMQP_URI overrides it.
amqp_uri() { echo "${CLUSTER_AMQP_URI:-amqp://registry:registry@127.0.0.1:${amqp_ports[0]},127.0.0.1:${amqp_ports[1]},127.0.0.1:${amqp_ports[2]}/}"; }

print_env() {
  echo "export ConnectionStrings__Registry=\"$(pg_cs registry registry)\""
  if [[ -s "$secrets" ]]; then
    echo "export ConnectionStrings__RegistryWorkers=\"$(pg_cs registry_workers "$(secret workers)")\""
    echo "export ConnectionStrings__RegistryApi=\"$(pg_cs registry_api "$(secret api)")\""
  fi
  echo "export ConnectionStrings__RabbitMq=\"$(amqp_uri)\""
  echo "export Bus__QuorumQueues=true"
  echo "export RabbitMq__ManagementUri=\"http://registry:registry@127.0.0.1:${mgmt_ports[0]}/\""
}

host_pid() {
  local f="$run_dir/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(tr -dc 0-9 <"$f")"
  if [[ -n "$pid" ]] && alive "$pid"; then echo "$pid"; fi
}

# Starts a host in its own session; its PID goes to run/<name>.pid.
launch() {
  local name=$1; shift
  mkdir -p "$run_dir" "$log_dir"
  (cd "$root" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$run_dir/$name.pid" "$@") \
    </dev/null >>"$log_dir/$name.log" 2>&1 9>&- &
  for _ in $(seq 1 50); do [[ -s "$run_dir/$name.pid" ]] && break; sleep 0.1; done
}

wait_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    [[ -n "$(host_pid "$name")" ]] || break
    sleep 0.5
  done
  tail -n 30 "$log_dir/$name.log" >&2
  die "$name did not become ready on :$port (log: $log_dir/$name.log)"
}

common_host_env() {
  echo ConnectionStrings__RabbitMq="$(amqp_uri)" Bus__QuorumQueues=true \
    Feeds__DefinitionsPath="$root/deploy/feeds" Registry__MigrateOnStart=false Telemetry__Exporter=none \
    RabbitMq__ManagementUri="http://registry:registry@127.0.0.1:${mgmt_ports[0]}/"
}

inbox_root() { if [[ "${CLUSTER_SHARED_INBOX:-0}" == 1 ]]; then echo "$state/inbox/shared"; else echo "$state/inbox/w$1"; fi; }

worker_start() {
  local n=$1 name="worker$1" port="${worker_ports[$(($1 - 1))]}"
  if [[ -n "$(host_pid "$name")" ]]; then return 0; fi
  [[ -f "$workers_dll" ]] || die "$workers_dll missing: build it (make cluster-up does: dotnet build src/Ingest.Workers -c Release)"
  require_free_port "$port" CLUSTER_WORKER_PORTS
  rm -f "$run_dir/$name.pid"
  local inbox; inbox="$(inbox_root "$n")"
  mkdir -p "$inbox" "$state/archive"
  echo "---- $(date -Is) start" >>"$log_dir/$name.log" 2>/dev/null || true
  # No scheduled API pulls nor EM training here: the cluster is for ingestion fault tests.
  launch "$name" env $(grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$root/deploy/workers-runtime.env") $(common_host_env) \
    ConnectionStrings__Registry="$(pg_cs registry_workers "$(secret workers)")" \
    Inbox__Root="$inbox" Inbox__ArchiveRoot="$state/archive" \
    Inbox__StalledExtractAfter="$stalled_after" Inbox__ParseLease="$parse_lease" Inbox__ChunkSize="$chunk_size" \
    Hangfire__RecurringPulls=false Matching__Training__Schedule= \
    dotnet "$workers_dll" --urls "http://127.0.0.1:$port"
  wait_ready "$name" "$port"
  say "workers $n (pid $(host_pid "$name")) ready on http://127.0.0.1:$port, inbox $inbox"
}

api_start() {
  local n=$1 name="api$1" port="${api_ports[$(($1 - 1))]}"
  if [[ -n "$(host_pid "$name")" ]]; then return 0; fi
  [[ -f "$api_dll" ]] || die "$api_dll missing: build it (make cluster-up does: dotnet build src/Registry.Api -c Release)"
  require_free_port "$port" CLUSTER_API_PORTS
  rm -f "$run_dir/$name.pid"
  echo "---- $(date -Is) start" >>"$log_dir/$name.log" 2>/dev/null || true
  # Sign-in through the development issuer, one signing key for both (a token works on either): user
  # admin, password in .local/cluster/secrets.env (admin=).
  launch "$name" env $(common_host_env) \
    ConnectionStrings__Registry="$(pg_cs registry_api "$(secret api)")" \
    Auth__DevIssuer__Enabled=true Auth__DevIssuer__AllowOutsideDevelopment=true \
    Auth__DevIssuer__SigningKey="cluster-$(secret signing)" Auth__DevIssuer__Passwords__admin="$(secret admin)" \
    dotnet "$api_dll" --urls "http://127.0.0.1:$port"
  wait_ready "$name" "$port"
  say "API $n (pid $(host_pid "$name")) ready on http://127.0.0.1:$port"
}

host_stop() {
  local name=$1 signal=${2:-TERM} pid; pid="$(host_pid "$1")"
  [[ -n "$pid" ]] || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do alive "$pid" || break; sleep 0.2; done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$run_dir/$name.pid"
}

migrate() {
  [[ -f "$workers_dll" ]] || die "$workers_dll missing: build it first"
  say "applying migrations to database $database (as the owner)"
  (cd "$root" && ConnectionStrings__RegistryOwner="$(pg_cs registry registry)" ConnectionStrings__Registry="$(pg_cs registry registry)" \
    Logging__LogLevel__Default=Warning dotnet "$workers_dll" migrate) >>"$log_dir/migrate.log" 2>&1 \
    || { tail -n 20 "$log_dir/migrate.log" >&2; die "migrations failed (log: $log_dir/migrate.log)"; }
}

hosts_start() {
  mkdir -p "$log_dir"
  migrate
  # One at a time: on two cores, four .NET hosts starting together slow each other down to a crawl.
  worker_start 1; worker_start 2; api_start 1; api_start 2
}

hosts_stop() {
  local name
  for name in api2 api1 worker2 worker1; do host_stop "$name"; done
}

reset_registry() {
  hosts_stop
  say "dropping and re-creating database $database; deleting the broker's queues and exchanges"
  pg_sql "$(pg_primary)" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
  pg_sql "$(pg_primary)" -c "CREATE DATABASE $database OWNER registry" >/dev/null
  # Queues go (a queue declared classic stays classic; left-over chunks would name a dropped database's
  # extracts); exchanges hold nothing and are re-declared as they were.
  local q
  for q in $(rmqctl 1 -q list_queues name --no-table-headers 2>/dev/null); do rmqctl 1 -q delete_queue "$q" >/dev/null 2>&1 || true; done
  rm -rf "$state/inbox" "$state/archive"
  hosts_start
}

status() {
  local rc=0 node n name
  for node in a b; do
    if pg_running "$node"; then
      if pg_in_recovery "$node"; then say "PostgreSQL $node: standby on 127.0.0.1:$(pg_node_port "$node")"
      else say "PostgreSQL $node: primary on 127.0.0.1:$(pg_node_port "$node")"; fi
    else say "PostgreSQL $node: stopped"; rc=3; fi
  done
  for n in 1 2 3; do
    if rmq_running "$n"; then say "RabbitMQ $(rmq_node "$n"): running on 127.0.0.1:${amqp_ports[$((n - 1))]} (management :${mgmt_ports[$((n - 1))]})"
    else say "RabbitMQ $(rmq_node "$n"): stopped"; rc=3; fi
  done
  for name in worker1 worker2 api1 api2; do
    if [[ -n "$(host_pid "$name")" ]]; then say "$name: running (pid $(host_pid "$name"))"; else say "$name: stopped"; rc=3; fi
  done
  return "$rc"
}

case "${1:-}" in
  up)
    take_lock
    install_missing
    mkdir -p "$state"
    ensure_traversable
    pg_up
    rmq_up
    hosts_start
    say "cluster up; settings: eval \"\$(deploy/cluster/cluster.sh env)\"; logs in $log_dir"
    ;;
  down)
    if [[ ! -d "$state" ]]; then say "nothing to stop"; exit 0; fi
    take_lock
    hosts_stop
    rmq_down
    pg_down
    ;;
  status) status ;;
  env) print_env ;;
  pg-failover) take_lock; pg_failover ;;
  pg-rejoin)
    take_lock
    p="$(pg_primary)"; s="$(pg_other "$p")"
    pg_build_standby "$s"; pg_start "$s"; pg_wait_streaming "$p" "$s"
    say "PostgreSQL $s streams from $p again"
    ;;
  rabbit-kill) rmq_kill "${2:?node 1..3}" ;;
  rabbit-start) take_lock; rmq_start_one "${2:?node 1..3}" ;;
  worker-kill)
    pid="$(host_pid "worker${2:?1..2}")"; [[ -n "$pid" ]] || die "worker$2 is not running"
    kill -KILL "$pid"; for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    rm -f "$run_dir/worker$2.pid"
    say "killed workers process $2 (pid $pid) with SIGKILL"
    ;;
  worker-start) worker_start "${2:?1..2}" ;;
  hosts-stop) hosts_stop ;;
  hosts-start) hosts_start ;;
  reset-registry) take_lock; reset_registry ;;
  *)
    echo "usage: ${0##*/} up|down|status|env | pg-failover|pg-rejoin|rabbit-kill N|rabbit-start N|worker-kill N|worker-start N|hosts-stop|hosts-start|reset-registry" >&2
    exit 2
    ;;
esac
