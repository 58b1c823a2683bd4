#!/usr/bin/env bash
# Local PostgreSQL and RabbitMQ for machines without Docker (Debian 12, root, no systemd).
#
#   deploy/local/services.sh up | down | status | env
#
# Both servers come from Debian's packages (installed here if missing), run on loopback only,
# on non-default ports, with all their state in the git-ignored <repo>/.local/services/, each as
# its own system user. A system-wide PostgreSQL or RabbitMQ (e.g. one that apt started on the
# default ports) is never touched: our broker has its own node name, epmd port and
# distribution port.
#
#   up      install if needed, start both (no-op for a server already running), print settings
#   down    stop both; fine when nothing runs
#   status  print each server's state; exit 0 if both run, 3 otherwise
#   env     print only the `export ...` lines for the connection settings (for eval): the owner's
#           (ConnectionStrings__Registry) and each host's role (…RegistryWorkers, …RegistryApi)
#
# Ports: REGISTRY_PG_PORT (55432), REGISTRY_AMQP_PORT (55672), REGISTRY_RABBIT_MGMT_PORT (55673),
#        REGISTRY_EPMD_PORT (55669), REGISTRY_RABBIT_DIST_PORT (55670).
set -euo pipefail

# Repo root from this file's own location, so any cwd works.
script_dir="$(CDPATH='' cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)"
root="$(CDPATH='' cd -- "$script_dir/../.." && pwd)"
state="$root/.local/services"
pg_dir="$state/postgres"
rmq_dir="$state/rabbitmq"

pg_port="${REGISTRY_PG_PORT:-55432}"
amqp_port="${REGISTRY_AMQP_PORT:-55672}"
mgmt_port="${REGISTRY_RABBIT_MGMT_PORT:-55673}"
epmd_port="${REGISTRY_EPMD_PORT:-55669}"
dist_port="${REGISTRY_RABBIT_DIST_PORT:-55670}"
node="registry@localhost"
rmq_bin=/usr/lib/rabbitmq/bin   # the real scripts; /usr/sbin's wrappers cd to /var/lib/rabbitmq and reset HOME

# Never fail on a closed stderr (e.g. `make demo | tee` after Ctrl+C): down must still run.
say() { echo "[services] $*" >&2 || true; }
die() { say "error: $*"; exit 1; }

# Newest installed PostgreSQL (15 on Debian 12); empty if none.
pg_bin_dir() {
  local newest
  newest="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"
  if [[ -x "$newest" ]]; then dirname "$newest"; fi
}
pg_bin="$(pg_bin_dir)"
pg_installed() { [[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] && id postgres >/dev/null 2>&1; }
rmq_installed() { [[ -x "$rmq_bin/rabbitmq-server" ]] && id rabbitmq >/dev/null 2>&1; }

# Run as a service user from / : the caller's cwd may be a folder that user cannot enter.
# fd 9 (our lock, below) is closed so that servers started this way do not hold it forever.
as_user() { local user="$1"; shift; (cd / && runuser -u "$user" -- "$@") 9>&-; }

# up and down take a lock, so two of them (make test while make demo starts, say) never
# interleave: the second waits, then finds the servers running (or stopped).
take_lock() {
  mkdir -p "$state"
  exec 9>"$state/.lock"
  if ! flock -n 9; then
    say "waiting for another services.sh up/down in this checkout"
    flock -w 180 9 || die "another services.sh up/down still holds $state/.lock after 180 s"
  fi
}

# Something already listens on 127.0.0.1:PORT (bash's /dev/tcp; no extra tools needed).
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_free_port() {
  if port_busy "$1"; then
    die "127.0.0.1:$1 is already in use by another program (another checkout's services?); set $2 to another port"
  fi
}

# ---------------------------------------------------------------------------------------------
# Installation
# ---------------------------------------------------------------------------------------------
install_missing() {
  local packages=()
  pg_installed || packages+=(postgresql)
  rmq_installed || packages+=(rabbitmq-server)
  ((${#packages[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "${packages[*]} missing; run as root so they can be installed"
  say "installing ${packages[*]} from Debian's packages (apt-get)"
  # Keep the packages' postinst from starting system-wide servers on the default ports: we do
  # not use them, and without systemd they only cost time and memory. Only if no policy exists.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" </dev/null; } >&2 || rc=$?
  if ((added_policy)); then rm -f "$policy"; fi
  ((rc == 0)) || die "apt-get install ${packages[*]} failed (exit $rc)"
  pg_bin="$(pg_bin_dir)"
  pg_installed || die "PostgreSQL did not install (no /usr/lib/postgresql/*/bin/initdb)"
  rmq_installed || die "rabbitmq-server did not install ($rmq_bin/rabbitmq-server missing)"
}

# The servers run as 'postgres' and 'rabbitmq'. A clone inside a private folder (mktemp -d is
# 0700) keeps them out, so walk from / down to the state folder and add o+x (traverse only,
# not read) wherever one of them cannot pass. Top-down, so each test sees its parents fixed.
ensure_traversable() {
  local target="$1"; shift
  local user d="" part changed=()
  local -a parts
  IFS=/ read -r -a parts <<<"${target#/}"
  for part in "${parts[@]}"; do
    [[ -n "$part" ]] || continue
    d="$d/$part"
    for user in "$@"; do
      if ! as_user "$user" test -x "$d"; then
        chmod o+x "$d"
        changed+=("$d")
        break
      fi
    done
  done
  if ((${#changed[@]})); then
    say "note: added o+x (traverse only) to ${changed[*]} so the $* users can reach $target"
  fi
  for user in "$@"; do
    as_user "$user" test -x "$target" || die "user '$user' still cannot reach $target (ACLs? mount options?)"
  done
}

prepare_state() {
  mkdir -p "$pg_dir" "$rmq_dir/mnesia" "$rmq_dir/log"
  chown postgres:postgres "$pg_dir"
  chown -R rabbitmq:rabbitmq "$rmq_dir"
  chmod 700 "$pg_dir" "$rmq_dir"
  ensure_traversable "$state" postgres rabbitmq
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
pg_data="$pg_dir/data"
pg_log="$pg_dir/postgres.log"
# The socket lives in the state folder too, unless that path is longer than a Unix socket
# path may be (107 bytes): then a short folder under /tmp, named after the state folder.
pg_socket_dir() {
  local sock=".s.PGSQL.$pg_port"
  if (( ${#pg_dir} + 1 + ${#sock} <= 107 )); then echo "$pg_dir"
  else echo "/tmp/registry-pg-$(echo "$pg_dir" | cksum | cut -d' ' -f1)"; fi
}

pg() { as_user postgres "$@"; }
pg_running() {
  pg_installed && [[ -f "$pg_data/postmaster.pid" ]] && pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1
}

pg_up() {
  if pg_running; then
    # Line 4 of postmaster.pid is the port it listens on; the caller may have asked for another.
    local running_port; running_port="$(sed -n 4p "$pg_data/postmaster.pid")"
    [[ "$running_port" == "$pg_port" ]] || die "PostgreSQL already runs on port $running_port, not $pg_port: run down first"
    pg_host_roles "$(pg_socket_dir)"   # a server started before the roles existed gets them now
    say "PostgreSQL already running on 127.0.0.1:$pg_port"; return
  fi
  if [[ ! -f "$pg_data/PG_VERSION" ]]; then
    say "initialising PostgreSQL data in $pg_data"
    # Local socket: trust (only root and postgres reach it here). TCP: passwords (scram).
    pg "$pg_bin/initdb" -D "$pg_data" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$pg_dir/initdb.log" 2>&1 \
      || { tail -n 20 "$pg_dir/initdb.log" >&2; die "initdb failed (log: $pg_dir/initdb.log)"; }
  fi
  require_free_port "$pg_port" REGISTRY_PG_PORT
  local sockdir; sockdir="$(pg_socket_dir)"
  if [[ $sockdir != "$pg_dir" ]]; then mkdir -p "$sockdir"; chown postgres:postgres "$sockdir"; chmod 700 "$sockdir"; fi
  say "starting PostgreSQL on 127.0.0.1:$pg_port"
  # Settings on the command line so a port change needs no edit of the data folder. Tests make
  # many short-lived databases and connections: more connections, and no fsync (throw-away data).
  # Lock waits past deadlock_timeout and statements over 5 s go to the log: who held what, when a
  # chunk or a benchmark stalls.
  # Plans of statements over 10 s go there too (auto_explain): a plan that flipped with lagging statistics.
  pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_log" -w -t 60 -o "-p $pg_port -c listen_addresses=127.0.0.1 \
-k '$sockdir' -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB -c max_wal_size=4GB \
-c log_lock_waits=on -c log_min_duration_statement=5000 -c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=10s" start >/dev/null \
    || { tail -n 20 "$pg_log" >&2; die "PostgreSQL did not start (log: $pg_log)"; }
  # The registry role (superuser: tests create a database each) and its database; re-applied
  # every time so the password is always the documented one.
  pg "$pg_bin/psql" -h "$sockdir" -p "$pg_port" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 >/dev/null <<'SQL' \
    || die "could not create the registry role/database"
SELECT 'CREATE ROLE registry' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry') \gexec
ALTER ROLE registry LOGIN SUPERUSER PASSWORD 'registry';
SELECT 'CREATE DATABASE registry OWNER registry' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'registry') \gexec
SQL
  pg_host_roles "$sockdir"
  say "PostgreSQL running on 127.0.0.1:$pg_port (log: $pg_log)"
}

# The hosts' own roles (the migrator creates them too, and grants their privileges): the workers
# host connects as registry_workers, the API as registry_api; registry (superuser here, the owner)
# only migrates. Their passwords are generated once and kept in $pg_passwords (git-ignored, root
# only); `env` exports them in each host's connection string.
pg_passwords="$state/host-roles.env"
pg_host_roles() {
  local sockdir="$1"
  if [[ ! -s "$pg_passwords" ]]; then
    (umask 077 && {
      echo "workers=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
      echo "api=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    } >"$pg_passwords")
  fi
  local workers_pw api_pw
  workers_pw="$(sed -n 's/^workers=//p' "$pg_passwords")"
  api_pw="$(sed -n 's/^api=//p' "$pg_passwords")"
  pg "$pg_bin/psql" -h "$sockdir" -p "$pg_port" -U postgres -d postgres -qAtX -v ON_ERROR_STOP=1 \
    -v workers_pw="$workers_pw" -v api_pw="$api_pw" >/dev/null <<'SQL' || die "could not create the hosts' roles"
SELECT 'CREATE ROLE registry_workers LOGIN NOINHERIT' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry_workers') \gexec
SELECT 'CREATE ROLE registry_api LOGIN NOINHERIT' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry_api') \gexec
SELECT 'CREATE ROLE registry_stewardship NOLOGIN NOINHERIT' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry_stewardship') \gexec
GRANT registry_stewardship TO registry_api;
ALTER ROLE registry_workers LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'workers_pw';
ALTER ROLE registry_api LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'api_pw';
SQL
}

pg_down() {
  if pg_running; then
    pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w -t 60 stop >/dev/null || die "PostgreSQL did not stop (log: $pg_log)"
    say "PostgreSQL stopped"
  else
    say "PostgreSQL not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------------
rmq_pidfile="$rmq_dir/rabbitmq.pid"
rmq_log="$rmq_dir/log/$node.log"

# Every RabbitMQ command (server and CLI) runs as 'rabbitmq' with only this environment, so the
# node, its ports and files are ours and nothing from /etc/rabbitmq or the caller leaks in.
# The node name is only unique per epmd, and the epmd port is our own.
rmq_env=(
  PATH=/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 LC_ALL=C.UTF-8
  HOME="$rmq_dir"                                   # .erlang.cookie lives here
  RABBITMQ_NODENAME="$node"
  RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$amqp_port"
  RABBITMQ_DIST_PORT="$dist_port" ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  RABBITMQ_MNESIA_BASE="$rmq_dir/mnesia" RABBITMQ_LOG_BASE="$rmq_dir/log"
  RABBITMQ_CONFIG_FILE="$rmq_dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$rmq_dir/advanced.config"
  RABBITMQ_ENABLED_PLUGINS_FILE="$rmq_dir/enabled_plugins" RABBITMQ_PID_FILE="$rmq_pidfile"
  RABBITMQ_CONF_ENV_FILE="$rmq_dir/rabbitmq-env.conf"   # an empty file: /etc/rabbitmq/rabbitmq-env.conf stays out
  ERL_CRASH_DUMP="$rmq_dir/log/erl_crash.dump"
)
rmq() { as_user rabbitmq env -i "${rmq_env[@]}" "$@"; }
rmqctl() { rmq "$rmq_bin/rabbitmqctl" "$@"; }

# Process checks read /proc directly (no procps needed on a minimal machine). A zombie is not
# alive: exited children are not always reaped at once (e.g. when PID 1 is a minimal init).
alive() { [[ -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
owned_by_rabbitmq() { alive "$1" && [[ "$(stat -c %U "/proc/$1" 2>/dev/null)" == rabbitmq ]]; }

# The beam's PID if the PID file names a live process of the rabbitmq user; empty otherwise.
rmq_pid() {
  local pid
  [[ -f "$rmq_pidfile" ]] || return 0
  pid="$(tr -dc 0-9 <"$rmq_pidfile")"
  if [[ -n "$pid" ]] && owned_by_rabbitmq "$pid"; then echo "$pid"; fi
  return 0
}
# Asking the node only when its process is alive: the CLI is slow, and this keeps status quick.
rmq_running() { rmq_installed && [[ -n "$(rmq_pid)" ]] && rmqctl -q ping >/dev/null 2>&1; }

# Our epmd: the rabbitmq user's epmd started with our environment (our port and this checkout's
# mnesia folder), never the system's one on 4369 nor another checkout's.
our_epmd_pids() {
  local p
  for p in /proc/[0-9]*; do
    if [[ "$(cat "$p/comm" 2>/dev/null)" != epmd ]] || ! owned_by_rabbitmq "${p#/proc/}"; then continue; fi
    if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null \
      | grep -cx -e "ERL_EPMD_PORT=$epmd_port" -e "RABBITMQ_MNESIA_BASE=$rmq_dir/mnesia" | grep -qx 2; then
      echo "${p#/proc/}"
    fi
  done
}

write_rmq_config() {
  # Loopback only; the management UI/API on its own port. On a fresh node the default user is
  # registry (so no guest is created); rmq_users below makes sure of it on older state too.
  cat >"$rmq_dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt_port
default_user = registry
default_pass = registry
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.file.level = info
CONF
  echo '[rabbitmq_management].' >"$rmq_dir/enabled_plugins"
  echo '[].' >"$rmq_dir/advanced.config"
  : >"$rmq_dir/rabbitmq-env.conf"   # empty: keeps /etc/rabbitmq/rabbitmq-env.conf out
  # Erlang cookie in our HOME: the CLI and the node find it there; private to rabbitmq.
  if [[ ! -s "$rmq_dir/.erlang.cookie" ]]; then
    tr -dc '[:upper:]' </dev/urandom | head -c 20 >"$rmq_dir/.erlang.cookie" || true
  fi
  chown -R rabbitmq:rabbitmq "$rmq_dir"
  chmod 400 "$rmq_dir/.erlang.cookie"
}

rmq_users() {
  if rmqctl -q list_users --no-table-headers | awk '{print $1}' | grep -qx registry; then
    rmqctl -q change_password registry registry >/dev/null
  else
    rmqctl -q add_user registry registry >/dev/null
  fi
  rmqctl -q set_user_tags registry administrator >/dev/null
  rmqctl -q set_permissions -p / registry '.*' '.*' '.*' >/dev/null
  # guest/guest is a well-known password; nobody here uses it.
  if rmqctl -q list_users --no-table-headers | awk '{print $1}' | grep -qx guest; then
    rmqctl -q delete_user guest >/dev/null
  fi
}

# Stop our node and our epmd; by PID only, never by name.
rmq_kill_leftovers() {
  local pid
  pid="$(rmq_pid)"
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$rmq_pidfile"
  for pid in $(our_epmd_pids); do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do alive "$pid" || break; sleep 0.2; done   # so its port is free again
  done
}

# What went wrong in this boot: the first error lines, then the last lines, of the node's log
# (this run's part) and of startup.log (where errors from before the log is set up go).
rmq_boot_report() {
  local from="$1" f errors
  for f in "$rmq_log" "$rmq_dir/log/startup.log"; do
    [[ -s "$f" ]] || continue
    if [[ "$f" == "$rmq_log" ]]; then errors="$(tail -n "+$from" "$f")"; else errors="$(cat "$f")"; fi
    [[ -n "$errors" ]] || continue
    {
      echo "---- $f: first errors"
      grep -E -A2 '\[(error|critical)\]|[Ee]rror' <<<"$errors" | head -n 15 || true
      echo "---- $f: last lines"
      tail -n 8 <<<"$errors"
    } >&2
  done
}

rmq_up() {
  if rmq_running; then
    # The config it was started with names its ports; the caller may have asked for others.
    if ! grep -qx "listeners.tcp.1 = 127.0.0.1:$amqp_port" "$rmq_dir/rabbitmq.conf" \
      || ! grep -qx "management.tcp.port = $mgmt_port" "$rmq_dir/rabbitmq.conf"; then
      die "RabbitMQ already runs with other ports than $amqp_port/$mgmt_port (see $rmq_dir/rabbitmq.conf): run down first"
    fi
    say "RabbitMQ already running on 127.0.0.1:$amqp_port"; return
  fi
  rmq_kill_leftovers   # a crashed node or a lone epmd from an earlier run
  require_free_port "$amqp_port" REGISTRY_AMQP_PORT
  require_free_port "$mgmt_port" REGISTRY_RABBIT_MGMT_PORT
  require_free_port "$dist_port" REGISTRY_RABBIT_DIST_PORT
  require_free_port "$epmd_port" REGISTRY_EPMD_PORT
  write_rmq_config
  say "starting RabbitMQ ($node) on 127.0.0.1:$amqp_port"
  local started=$SECONDS log_from
  log_from=1   # the log is appended to across runs: on failure, show only this run's part
  if [[ -f "$rmq_log" ]]; then log_from=$(( $(wc -l <"$rmq_log") + 1 )); fi
  # In the background, in a session of its own (so a Ctrl+C meant for the caller does not reach
  # it), with no stdin. Rather than -detached: what the node prints before its log exists (a
  # config error, say) lands in startup.log, and the launcher's PID tells us when it died.
  (cd / && exec setsid -w runuser -u rabbitmq -- env -i "${rmq_env[@]}" "$rmq_bin/rabbitmq-server") \
    </dev/null >"$rmq_dir/log/startup.log" 2>&1 9>&- &
  local launcher=$! ok=0
  # Ready when the node answers and the broker app has booted; give up if the launcher is gone. A node
  # recovering many durable queues (old test runs) can take a minute or more.
  while (( SECONDS - started < 180 )); do
    if rmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then ok=1; break; fi
    alive "$launcher" || break
    sleep 1
  done
  if ((ok == 0)); then
    say "RabbitMQ did not start ($((SECONDS - started)) s)"
    rmq_boot_report "$log_from"
    rmq_kill_leftovers
    die "RabbitMQ did not start (logs: $rmq_dir/log/)"
  fi
  rmq_users
  say "RabbitMQ running on 127.0.0.1:$amqp_port, management http://127.0.0.1:$mgmt_port/ ($((SECONDS - started)) s; log: $rmq_log)"
}

rmq_down() {
  if rmq_running; then
    # shutdown waits until the node's OS process has exited.
    rmqctl -q shutdown --timeout 60 >/dev/null 2>&1 || say "rabbitmqctl shutdown failed; killing the node"
    say "RabbitMQ stopped"
  else
    say "RabbitMQ not running"
  fi
  rmq_kill_leftovers
}

# ---------------------------------------------------------------------------------------------
# ConnectionStrings__Registry is the owner's (migrations; the tests create a database per test
# with it); each host is given its own role's connection string in place of it (demo.sh).
print_env() {
  echo "export ConnectionStrings__Registry=\"Host=127.0.0.1;Port=$pg_port;Username=registry;Password=registry;Database=registry\""
  if [[ -r "$pg_passwords" ]]; then
    echo "export ConnectionStrings__RegistryWorkers=\"Host=127.0.0.1;Port=$pg_port;Username=registry_workers;Password=$(sed -n 's/^workers=//p' "$pg_passwords");Database=registry\""
    echo "export ConnectionStrings__RegistryApi=\"Host=127.0.0.1;Port=$pg_port;Username=registry_api;Password=$(sed -n 's/^api=//p' "$pg_passwords");Database=registry\""
  fi
  echo "export ConnectionStrings__RabbitMq=\"amqp://registry:registry@127.0.0.1:$amqp_port/\""
  echo "export RabbitMq__ManagementUri=\"http://registry:registry@127.0.0.1:$mgmt_port/\""
}

case "${1:-}" in
  up)
    take_lock
    install_missing
    prepare_state
    pg_up
    rmq_up
    say "connection settings (load them with: eval \"\$(deploy/local/services.sh env)\"; the hosts' role passwords only there):"
    print_env | grep -v -e RegistryWorkers -e RegistryApi >&2
    ;;
  down)
    if [[ ! -d "$state" ]]; then say "nothing to stop"; exit 0; fi
    take_lock
    if rmq_installed; then rmq_down; fi
    if pg_installed; then pg_down; fi
    ;;
  status)
    rc=0
    if pg_running; then say "PostgreSQL: running on 127.0.0.1:$pg_port"; else say "PostgreSQL: stopped"; rc=3; fi
    if rmq_running; then say "RabbitMQ:   running on 127.0.0.1:$amqp_port (management :$mgmt_port)"; else say "RabbitMQ:   stopped"; rc=3; fi
    exit "$rc"
    ;;
  env)
    print_env
    ;;
  *)
    echo "usage: ${0##*/} up|down|status|env" >&2
    exit 2
    ;;
esac
