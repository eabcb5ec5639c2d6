#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the postgres state backend's tests:
# its own data directory under /tmp, listening only on 127.0.0.1 on a free
# port, password (SCRAM) authentication with a random password.
#
#   scripts/pg-test-cluster.sh have-binaries   exit 0 when initdb, pg_ctl and psql are installed
#   scripts/pg-test-cluster.sh start           start a cluster; print `export` lines
#   scripts/pg-test-cluster.sh stop [DIR]      stop it and delete its directory
#                                              (DIR defaults to $CDNFORM_PG_CLUSTER_DIR)
#
# Typical use:
#   env=$(scripts/pg-test-cluster.sh start) && eval "$env"
#   cargo test state::postgres
#   scripts/pg-test-cluster.sh stop
#
# initdb refuses to run as root, so as root the server runs as the `postgres`
# user (created by Debian's postgresql package) via runuser.
set -euo pipefail

die() {
    echo "pg-test-cluster: $*" >&2
    exit 1
}

# The directory holding initdb and pg_ctl: $PATH first, then the newest
# Debian install under /usr/lib/postgresql/<version>/bin (Debian keeps them
# off $PATH).
pg_bindir() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"
        return 0
    fi
    return 1
}

# Everything the tests need: the server's tools, and psql (one test takes
# a lock from a psql session).
have_binaries() {
    local bindir
    bindir=$(pg_bindir) || return 1
    command -v psql >/dev/null 2>&1 || [[ -x "$bindir/psql" ]]
}

# Run a command as the cluster's owner: `postgres` when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# True when something already listens on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
    local bindir
    bindir=$(pg_bindir) || die "initdb/pg_ctl not found; install PostgreSQL (Debian: apt-get install -y postgresql)"
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "running as root needs a \`postgres\` user to own the cluster (Debian's postgresql package creates it)"
    fi

    local dir password
    dir=$(mktemp -d /tmp/cdnform-pg.XXXXXX)
    # Until the cluster is up, leaving (by failure or `die`) removes it.
    trap 'as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
    chmod 700 "$dir"
    password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$password" >"$dir/pwfile"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: "$dir"
    fi

    as_owner "$bindir/initdb" -D "$dir/data" -U cdnform --pwfile="$dir/pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    rm -f "$dir/pwfile"

    # A random port in 20000-39999 that nothing listens on; retried when
    # another process takes it between the check and the start.
    local port attempt
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((20000 + RANDOM % 20000))
        port_in_use "$port" && continue
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" \
            start >/dev/null; then
            printf "export CDNFORM_TEST_PG='postgres://cdnform:%s@127.0.0.1:%s/postgres'\n" "$password" "$port"
            printf "export CDNFORM_PG_CLUSTER_DIR='%s'\n" "$dir"
            trap - EXIT
            return 0
        fi
        echo "pg-test-cluster: start on port $port failed (attempt $attempt); retrying" >&2
    done
    cat "$dir/server.log" >&2 || true
    die "could not start PostgreSQL"
}

stop() {
    local dir=${1:-${CDNFORM_PG_CLUSTER_DIR:-}}
    [[ -n "$dir" ]] || die "stop: which cluster? pass its directory or set CDNFORM_PG_CLUSTER_DIR"
    [[ -d "$dir/data" ]] || die "stop: $dir is not a cluster made by this script"
    local bindir
    bindir=$(pg_bindir) || die "pg_ctl not found"
    as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null 2>&1 ||
        as_owner "$bindir/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
have-binaries) have_binaries ;;
start) start ;;
stop) stop "${2:-}" ;;
*)
    echo "usage: $0 have-binaries | start | stop [DIR]" >&2
    exit 2
    ;;
esac
