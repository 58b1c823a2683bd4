#!/usr/bin/env bash
# Local PostgreSQL and RabbitMQ for hosts without Docker (these machines: Docker client only).
# Installs the Debian packages if missing and runs both servers on loopback under the
# project's git-ignored state folder .local/services/, each as its own system user, on
# non-default ports so they never clash with a system-wide server.
#
#   deploy/local/services.sh up | down | status | env
#
# Idempotent: `up` on running servers and `down` on stopped ones are no-ops.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$root/.local/services"
pg_port="${REGISTRY_PG_PORT:-55432}"
amqp_port="${REGISTRY_AMQP_PORT:-55672}"
mgmt_port="${REGISTRY_RABBIT_MGMT_PORT:-55673}"
epmd_port="${REGISTRY_EPMD_PORT:-55669}"
dist_port="${REGISTRY_RABBIT_DIST_PORT:-55670}"
pg_bin="/usr/lib/postgresql/15/bin"
pg_dir="$state/postgres"
rmq_dir="$state/rabbitmq"
node="registry@localhost"

say() { echo "[services] $*" >&2 || true; }
die() { say "error: $*"; exit 1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "run as root (or install sudo): $*"; fi
}

install_missing() {
  local packages=()
  [[ -x "$pg_bin/initdb" ]] || packages+=(postgresql)
  command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]] || packages+=(rabbitmq-server)
  if ((${#packages[@]})); then
    say "installing ${packages[*]} from Debian's packages"
    as_root apt-get update -qq
    # The packages' own start scripts may fail without systemd; our servers do not use them.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null || true
    [[ -x "$pg_bin/initdb" ]] || die "PostgreSQL 15 did not install ($pg_bin/initdb missing)"
    [[ -x /usr/sbin/rabbitmq-server ]] || die "rabbitmq-server did not install"
  fi
}

# The servers run as 'postgres' and 'rabbitmq'; a clone inside a private (0700) folder such as a
# mktemp -d would keep them out. Grant traverse-only (o+x) on the ancestors that lack it.
ensure_traversable() {
  local dir="$1" user="$2" d="$1"
  if runuser -u "$user" -- test -x "$dir" 2>/dev/null; then return; fi
  while [[ "$d" != "/" ]]; do
    if [[ ! -x "$d" ]] || ! runuser -u "$user" -- test -x "$d" 2>/dev/null; then
      if (( ( $(stat -c '%a' "$d") % 10 & 1 ) == 0 )); then
        chmod o+x "$d" && say "note: granted traverse (o+x) on $d so the '$user' user can reach $dir"
      fi
    fi
    d="$(dirname "$d")"
  done
}

# ---------- PostgreSQL ----------
pg() { runuser -u postgres -- "$@"; }
pg_running() { [[ -f "$pg_dir/data/postmaster.pid" ]] && pg "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; }

pg_up() {
  if pg_running; then say "PostgreSQL already running on 127.0.0.1:$pg_port"; return; fi
  mkdir -p "$pg_dir"
  chown postgres:postgres "$pg_dir"
  ensure_traversable "$pg_dir" postgres
  if [[ ! -f "$pg_dir/data/PG_VERSION" ]]; then
    say "initialising PostgreSQL data in $pg_dir/data"
    pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_dir -c max_connections=200 -c fsync=off -c synchronous_commit=off" start >/dev/null \
    || { tail -n 20 "$pg_dir/postgres.log" >&2; die "PostgreSQL did not start"; }
  pg psql -h "$pg_dir" -p "$pg_port" -U postgres -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT 'CREATE ROLE registry LOGIN SUPERUSER PASSWORD ''registry''' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'registry') \gexec
SELECT 'CREATE DATABASE registry OWNER registry' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'registry') \gexec
SQL
  say "PostgreSQL running on 127.0.0.1:$pg_port"
}

pg_down() {
  if pg_running; then pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null; say "PostgreSQL stopped"; fi
}

# ---------- RabbitMQ ----------
# Every rabbitmq command runs as the rabbitmq user with this environment (own node, ports, files).
rmq() {
  runuser -u rabbitmq -- env HOME="$rmq_dir" \
    RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$amqp_port" \
    RABBITMQ_DIST_PORT="$dist_port" ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$rmq_dir/mnesia" RABBITMQ_LOG_BASE="$rmq_dir/log" \
    RABBITMQ_CONFIG_FILE="$rmq_dir/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$rmq_dir/enabled_plugins" \
    RABBITMQ_PID_FILE="$rmq_dir/rabbitmq.pid" RABBITMQ_CONF_ENV_FILE="$rmq_dir/rabbitmq-env.conf" \
    "$@"
}
rmqctl() { rmq rabbitmqctl --erlang-cookie "$(cat "$rmq_dir/.erlang.cookie")" "$@"; }
rmq_running() { [[ -f "$rmq_dir/.erlang.cookie" ]] && rmqctl -q ping >/dev/null 2>&1; }

rmq_up() {
  if rmq_running; then say "RabbitMQ already running on 127.0.0.1:$amqp_port"; return; fi
  mkdir -p "$rmq_dir/mnesia" "$rmq_dir/log"
  [[ -f "$rmq_dir/.erlang.cookie" ]] || { head -c 30 /dev/urandom | md5sum | cut -c1-20 | tr 'a-f' 'A-F' >"$rmq_dir/.erlang.cookie"; }
  chmod 400 "$rmq_dir/.erlang.cookie"
  : >"$rmq_dir/rabbitmq-env.conf"
  cat >"$rmq_dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt_port
loopback_users = none
CONF
  echo '[rabbitmq_management].' >"$rmq_dir/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$rmq_dir"
  ensure_traversable "$rmq_dir" rabbitmq
  say "starting RabbitMQ ($node)"
  rmq rabbitmq-server -detached >/dev/null 2>&1 || true
  local ok=0
  for _ in $(seq 1 120); do
    if rmqctl -q await_startup --timeout 5 >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.5
  done
  if [[ $ok != 1 ]]; then
    tail -n 30 "$rmq_dir/log/$node.log" >&2 2>/dev/null || true
    die "RabbitMQ did not start within 60 s (log: $rmq_dir/log/)"
  fi
  if ! rmqctl -q list_users 2>/dev/null | grep -q '^registry'; then
    rmqctl -q add_user registry registry >/dev/null
  fi
  rmqctl -q set_user_tags registry administrator >/dev/null
  rmqctl -q set_permissions -p / registry '.*' '.*' '.*' >/dev/null
  say "RabbitMQ running on 127.0.0.1:$amqp_port (management http://127.0.0.1:$mgmt_port/)"
}

rmq_down() {
  if rmq_running; then
    rmqctl -q shutdown >/dev/null 2>&1 || rmqctl -q stop >/dev/null 2>&1 || true
    say "RabbitMQ stopped"
  fi
  # Our epmd (own port) outlives the node; stop it so nothing of ours is left running.
  if command -v epmd >/dev/null; then
    runuser -u rabbitmq -- env ERL_EPMD_PORT="$epmd_port" epmd -kill >/dev/null 2>&1 || true
  fi
  pkill -u rabbitmq -f "beam.*$node" 2>/dev/null || true
}

print_env() {
  echo "export ConnectionStrings__Registry=\"Host=127.0.0.1;Port=$pg_port;Username=registry;Password=registry;Database=registry\""
  echo "export ConnectionStrings__RabbitMq=\"amqp://registry:registry@127.0.0.1:$amqp_port/\""
  echo "export RabbitMq__ManagementUri=\"http://registry:registry@127.0.0.1:$mgmt_port/\""
}

case "${1:-}" in
  up)
    install_missing
    pg_up
    rmq_up
    say "connection settings (eval \"\$(deploy/local/services.sh env)\" to load them):"
    print_env >&2
    ;;
  down)
    [[ -d "$state" ]] || { say "nothing to stop"; exit 0; }
    command -v runuser >/dev/null || exit 0
    id rabbitmq >/dev/null 2>&1 && rmq_down
    id postgres >/dev/null 2>&1 && [[ -x "$pg_bin/pg_ctl" ]] && pg_down
    exit 0
    ;;
  status)
    rc=0
    if id postgres >/dev/null 2>&1 && [[ -x "$pg_bin/pg_ctl" ]] && pg_running; then say "PostgreSQL: running on 127.0.0.1:$pg_port"; else say "PostgreSQL: stopped"; rc=3; fi
    if id rabbitmq >/dev/null 2>&1 && rmq_running; then say "RabbitMQ:   running on 127.0.0.1:$amqp_port"; else say "RabbitMQ:   stopped"; rc=3; fi
    exit $rc
    ;;
  env)
    print_env
    ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
