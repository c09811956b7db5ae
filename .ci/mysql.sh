#!/usr/bin/env bash
# A real MySQL beside MariaDB for the tests: Debian sid's mysqld in a chroot.
#
#   .ci/mysql.sh up      build the chroot once (cached), mount, start mysqld, wait until it answers
#   .ci/mysql.sh down    stop mysqld by its PID, unmount; safe when nothing runs
#   .ci/mysql.sh start   start mysqld on the existing data (the restart scenario uses stop/start)
#   .ci/mysql.sh stop    stop mysqld by its PID, leave the mounts
#   .ci/mysql.sh sql     the mysql client as root through the server's socket (SQL on stdin)
#
# Needs root (debootstrap, chroot, mount). sid because Debian's stable suites
# carry MariaDB only; its Release file may be past Valid-Until by this
# machine's clock, hence Check-Valid-Until=false. Only the -core packages:
# they have no maintainer scripts that would start a service in the chroot.
# Every run starts from an empty data directory, so tests see a fresh server.
#
# RELAYR_MYSQL_CACHE  the chroot's parent folder (default .cache/mysql-sid, git-ignored)
# RELAYR_MYSQL_PORT   TCP port on 127.0.0.1 (default 3406: beside MariaDB's 3306 and other helpers' 3307)
# RELAYR_DEBIAN_MIRROR  the archive to bootstrap from (default: the one this machine's apt uses)
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=$(realpath -m "${RELAYR_MYSQL_CACHE:-$PWD/.cache/mysql-sid}")
ROOT=$CACHE/root
PORT=${RELAYR_MYSQL_PORT:-3406}
# Paths inside the chroot.
DATADIR=/var/lib/relayr-mysql
RUNDIR=/run/relayr-mysql
SOCKET=$RUNDIR/mysqld.sock
PIDFILE=$RUNDIR/mysqld.pid
ERRLOG=$RUNDIR/error.log

log() { echo "mysql.sh: $*" >&2; }

# The Debian archive this machine's apt already reaches, so no host name is written here.
debian_mirror() {
  if [ -n "${RELAYR_DEBIAN_MIRROR:-}" ]; then echo "$RELAYR_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -E '/debian/?$' | head -1 || true)
  [ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
  [ -n "$uri" ] || { log "no Debian archive in /etc/apt: set RELAYR_DEBIAN_MIRROR"; exit 1; }
  echo "$uri"
}

in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

mount_fs() {
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}

umount_fs() {
  local point
  for point in "$ROOT/dev" "$ROOT/proc"; do
    if mountpoint -q "$point"; then umount "$point"; fi
  done
}

build() {
  [ -f "$ROOT/.relayr-ready" ] && return
  [ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot, mount)"; exit 1; }
  command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
  umount_fs
  # A half-built tree from an interrupted run: never delete through a mount.
  if [ -d "$ROOT" ]; then
    if grep -q " $ROOT/" /proc/mounts; then log "$ROOT has mounts under it; refusing to delete it"; exit 1; fi
    rm -rf "$ROOT"
  fi
  mkdir -p "$CACHE"
  log "building the sid chroot in $ROOT (once; cached)"
  debootstrap --variant=minbase sid "$ROOT" "$(debian_mirror)" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  mount_fs
  in_root apt-get -qq -o Acquire::Check-Valid-Until=false update
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    mysql-server-core mysql-client-core >"$CACHE/apt.log" 2>&1 || { tail -20 "$CACHE/apt.log" >&2; exit 1; }
  in_root apt-get clean
  in_root getent passwd mysql >/dev/null ||
    in_root useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin mysql
  touch "$ROOT/.relayr-ready"
}

server_pid() {
  local pid
  pid=$(cat "$ROOT$PIDFILE" 2>/dev/null || true)
  # Only a mysqld whose root is this chroot: a stale file never names another process.
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ] &&
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mysqld ]; then
    echo "$pid"
  fi
}

answers() { in_root mysqladmin --socket="$SOCKET" -uroot ping >/dev/null 2>&1; }

start() {
  if [ -n "$(server_pid)" ]; then log "already running (PID $(server_pid))"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    log "port $PORT is taken by another server: set RELAYR_MYSQL_PORT"
    exit 1
  fi
  mount_fs
  # mysqld refuses to start without its secure-file-priv folder.
  mkdir -p "$ROOT/var/lib/mysql-files" "$ROOT$RUNDIR"
  in_root chown mysql:mysql /var/lib/mysql-files "$RUNDIR"
  if [ ! -d "$ROOT$DATADIR/mysql" ]; then
    rm -rf "${ROOT:?}$DATADIR"
    in_root mysqld --initialize-insecure --user=mysql --datadir="$DATADIR" --log-error="$ERRLOG"
  fi
  # Small buffers and no performance schema: the tests' data is tiny and the machine is shared.
  in_root mysqld --daemonize --user=mysql --datadir="$DATADIR" --port="$PORT" --bind-address=127.0.0.1 \
    --socket="$SOCKET" --pid-file="$PIDFILE" --log-error="$ERRLOG" --mysqlx=OFF --skip-log-bin \
    --performance-schema=OFF --innodb-buffer-pool-size=64M \
    >/dev/null || { tail -20 "$ROOT$ERRLOG" >&2; exit 1; }
  for _ in $(seq 120); do answers && break; sleep 0.5; done
  answers || { tail -20 "$ROOT$ERRLOG" >&2; log "mysqld did not answer"; exit 1; }
  log "MySQL $(in_root mysqld --version | awk '{print $3}') on 127.0.0.1:$PORT (PID $(server_pid))"
}

stop() {
  local pid
  pid=$(server_pid)
  [ -n "$pid" ] || return 0
  kill -TERM "$pid"
  for _ in $(seq 120); do [ -d "/proc/$pid" ] || return 0; sleep 0.5; done
  log "mysqld (PID $pid) still running after 60 s; killing it"
  kill -KILL "$pid"
}

case "${1:-}" in
up)
  build
  stop
  rm -rf "${ROOT:?}$DATADIR"
  start
  ;;
down)
  [ -d "$ROOT" ] || exit 0
  stop
  umount_fs
  ;;
start) start ;;
stop) stop ;;
sql) in_root mysql --socket="$SOCKET" -uroot ;;
*)
  echo "usage: $0 up|down|start|stop|sql" >&2
  exit 2
  ;;
esac
