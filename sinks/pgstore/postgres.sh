#!/usr/bin/env bash
# postgres.sh — Sightline's private Postgres, the embedded default.
#
# A throwaway server for one checkout: initdb into $SIGHTLINE_DATA_DIR/postgres,
# a unix socket in that directory, trust auth, no TCP listener. Used by the
# Makefile (make run, make test) and by the sightline binary itself when
# DATABASE_URL is unset (the binary embeds this file).
#
# usage: ops/postgres.sh start        start (initdb first if needed); print the URL
#        ops/postgres.sh stop         stop the server if it runs
#        ops/postgres.sh status       say whether it runs; exit 1 if not
#        ops/postgres.sh destroy      stop the server and delete its cluster
#        ops/postgres.sh url          print the database URL (does not start)
#        ops/postgres.sh exec CMD...  start, run CMD with DATABASE_URL and
#                                     TEST_DATABASE_URL set, stop again if
#                                     this call started the server
#
# environment:
#   SIGHTLINE_DATA_DIR   data directory (default .sightline); the server lives
#                        in $SIGHTLINE_DATA_DIR/postgres
#   SIGHTLINE_PG_FAST    1 = fsync off (tests: faster, not crash safe)
#   SIGHTLINE_PG_DB      database name (default sightline)
#
# As root the server runs as the "postgres" user (Postgres refuses to run as
# root), through runuser. When the Postgres binaries are missing, root gets
# Debian's postgresql package installed; anyone else is told what to install.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }
die() { log "$*"; exit 1; }

data_dir=${SIGHTLINE_DATA_DIR:-.sightline}
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd -P)
db=${SIGHTLINE_PG_DB:-sightline}
pg_user=sightline # the database superuser initdb creates; trust auth
is_root=0
[ "$(id -u)" = 0 ] && is_root=1

# find_bindir prints the directory holding initdb, pg_ctl and postgres: PATH
# first, then Debian's versioned directories, newest first.
find_bindir() {
	local d
	if d=$(command -v pg_ctl 2>/dev/null) && [ -x "$(dirname "$(readlink -f "$d")")/initdb" ]; then
		dirname "$(readlink -f "$d")"
		return 0
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
		[ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

ensure_binaries() {
	bindir=$(find_bindir) && return 0
	if [ "$is_root" = 1 ] && command -v apt-get >/dev/null; then
		log "Postgres binaries not found; installing Debian's postgresql package"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq --no-install-recommends postgresql >&2
		bindir=$(find_bindir) || die "installed postgresql but found no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
		return 0
	fi
	die "Postgres server binaries (initdb, pg_ctl, postgres) not found on PATH or in /usr/lib/postgresql/*/bin.
Install them, e.g. 'sudo apt-get install postgresql' (Debian/Ubuntu), 'brew install postgresql' (macOS),
or set DATABASE_URL to an existing server."
}

# as_owner runs a command as the user owning the cluster: postgres when root.
as_owner() {
	if [ "$is_root" = 1 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pick_pgdir chooses where the cluster lives. Root runs the server as
# "postgres", which must be able to reach the directory; when the checkout is
# somewhere it cannot traverse (a 0700 home, say) the cluster goes to /var/tmp
# instead. Unix socket paths are limited to ~107 bytes, so a deep checkout
# also falls back.
pick_pgdir() {
	pgdir=$data_dir/postgres
	local reachable=1
	if [ "$is_root" = 1 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
		runuser -u postgres -- test -x "$data_dir" 2>/dev/null || reachable=0
	fi
	if [ "$reachable" = 0 ] || [ ${#pgdir} -gt 80 ]; then
		pgdir=/var/tmp/sightline-pg-$(printf %s "$data_dir" | cksum | cut -d' ' -f1)
		# Remember where it went, so stop/url find it again.
		ln -sfn "$pgdir" "$data_dir/postgres"
	fi
	pgdir_real=$pgdir
	[ -L "$data_dir/postgres" ] && pgdir_real=$(readlink "$data_dir/postgres")
	mkdir -p "$pgdir_real"
	[ "$is_root" = 1 ] && chown postgres: "$pgdir_real"
	chmod 0700 "$pgdir_real"
}

db_url() {
	echo "postgres://$pg_user@/$1?host=$pgdir_real&sslmode=disable"
}

running() {
	[ -f "$pgdir_real/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$pgdir_real/data" status >/dev/null 2>&1
}

init_cluster() {
	[ -f "$pgdir_real/data/PG_VERSION" ] && return 0
	log "initdb into $pgdir_real/data"
	as_owner "$bindir/initdb" -D "$pgdir_real/data" -U "$pg_user" --auth=trust \
		--encoding=UTF8 --locale=C >"$pgdir_real/initdb.log" 2>&1 ||
		die "initdb failed; see $pgdir_real/initdb.log"
}

start_server() {
	local fast=()
	[ "${SIGHTLINE_PG_FAST:-0}" = 1 ] && fast=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
	# -k: socket directory; listen_addresses='': no TCP listener at all.
	as_owner "$bindir/pg_ctl" -D "$pgdir_real/data" -l "$pgdir_real/server.log" -w -t 60 \
		-o "-k $pgdir_real -c listen_addresses='' -c max_connections=200 ${fast[*]}" start >/dev/null ||
		die "server did not start; see $pgdir_real/server.log"
}

ensure_db() {
	local name=$1
	local psql=("$bindir/psql" -h "$pgdir_real" -U "$pg_user" -d postgres -qtAX)
	if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
		"${psql[@]}" -c "CREATE DATABASE \"$name\"" >/dev/null
	fi
}

cmd_start() {
	ensure_binaries
	pick_pgdir
	init_cluster
	if running; then
		started=0
	else
		log "starting Postgres in $pgdir_real (socket only, trust auth)"
		start_server
		started=1
	fi
	ensure_db "$db"
	ensure_db "${db}_test"
}

cmd_stop() {
	bindir=$(find_bindir) || return 0
	pick_pgdir
	if running; then
		as_owner "$bindir/pg_ctl" -D "$pgdir_real/data" -m fast -w stop >/dev/null
		log "stopped Postgres in $pgdir_real"
	fi
}

case ${1:-} in
start)
	cmd_start
	db_url "$db"
	;;
stop) cmd_stop ;;
destroy)
	pick_pgdir
	cmd_stop
	rm -rf "$pgdir_real" "$data_dir/postgres"
	;;
status)
	bindir=$(find_bindir) || die "no Postgres binaries"
	pick_pgdir
	if running; then echo "running in $pgdir_real: $(db_url "$db")"; else echo "not running ($pgdir_real)"; exit 1; fi
	;;
url)
	bindir=$(find_bindir) || die "no Postgres binaries"
	pick_pgdir
	db_url "$db"
	;;
exec)
	shift
	[ $# -gt 0 ] || die "exec: no command given"
	cmd_start
	export DATABASE_URL TEST_DATABASE_URL
	DATABASE_URL=$(db_url "$db")
	TEST_DATABASE_URL=$(db_url "${db}_test")
	status=0
	"$@" || status=$?
	[ "$started" = 1 ] && cmd_stop
	exit "$status"
	;;
*)
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
