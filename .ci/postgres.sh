# A throwaway PostgreSQL cluster for the test suite, sourced by .ci/run (and usable by hand:
# `source .ci/postgres.sh && pg_start && echo "$FLOWPLANE_TEST_POSTGRES_URL"`, then `pg_stop`).
#
# pg_start finds the machine's PostgreSQL server binaries (on PATH, else the newest under
# /usr/lib/postgresql/*/bin; `apt-get install postgresql` only when there are none), initdb's a
# cluster in a temporary directory with its socket there too, starts it on a free loopback
# port with durability off (it is thrown away), and exports
#   PG_BIN                        the binaries' directory
#   PG_PORT                       the port
#   FLOWPLANE_TEST_POSTGRES_URL   postgres://postgres@127.0.0.1:PORT/postgres
# It fails (non-zero) when the cluster cannot be started. pg_stop stops it and deletes it.

pg_find_bin() {
    local dir
    # Resolved, so that the client tools beside the server binaries are found too.
    dir="$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")")"
    if [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
        echo "$dir"
        return 0
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/pg_ctl" && -x "$dir/initdb" ]]; then
        echo "$dir"
        return 0
    fi
    return 1
}

# Runs a server binary as the cluster's owner: Postgres refuses to run as root.
pg_as_owner() {
    if [[ -n "${PG_OWNER:-}" ]]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    if ! PG_BIN="$(pg_find_bin)"; then
        echo "postgres: no server binaries found; installing Debian's postgresql" >&2
        if [[ "$(id -u)" == 0 ]]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        fi
        PG_BIN="$(pg_find_bin)" || { echo "postgres: still no server binaries after the install" >&2; return 1; }
    fi
    export PG_BIN
    PG_DIR="$(mktemp -d -t flowplane-pg.XXXXXX)"
    PG_OWNER=""
    if [[ "$(id -u)" == 0 ]]; then
        if id postgres >/dev/null 2>&1; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
        chown "$PG_OWNER" "$PG_DIR"
    fi
    PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    export PG_PORT PG_DIR PG_OWNER
    (cd "$PG_DIR" && pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1) || {
        cat "$PG_DIR/initdb.log" >&2
        echo "postgres: initdb failed" >&2
        return 1
    }
    (cd "$PG_DIR" && pg_as_owner "$PG_BIN/pg_ctl" start -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null) || {
        cat "$PG_DIR/server.log" >&2 || true
        echo "postgres: the cluster did not start" >&2
        return 1
    }
    export FLOWPLANE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "postgres: $("$PG_BIN/postgres" --version) serving on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
}

pg_stop() {
    if [[ -n "${PG_DIR:-}" && -d "$PG_DIR/data" ]]; then
        (cd "$PG_DIR" && pg_as_owner "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m fast -w >/dev/null 2>&1) || true
    fi
    [[ -n "${PG_DIR:-}" ]] && rm -rf "$PG_DIR"
    PG_DIR=""
}

# Creates database $1 in the cluster and prints its URL.
pg_create_database() {
    (cd "$PG_DIR" && pg_as_owner "$PG_BIN/psql" -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE DATABASE \"$1\"" >/dev/null) || return 1
    echo "postgres://postgres@127.0.0.1:$PG_PORT/$1"
}
