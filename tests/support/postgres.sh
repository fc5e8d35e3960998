#!/bin/sh
# A throw-away PostgreSQL 15 on loopback for benchmarks and manual runs (tests use PostgresServer in C++).
#   postgres.sh start DIR PORT   initdb in DIR (if empty), start on 127.0.0.1:PORT, create database "atrium",
#                                print the URL
#   postgres.sh stop DIR         stop immediately (the data stays; rm -rf DIR to drop it)
set -eu
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$(realpath -m "$2")

case $cmd in
start)
  [ $# -eq 3 ] || usage
  port=$3
  mkdir -p "$dir/socket"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync --no-instructions >"$dir/initdb.log"
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
CONF
  fi
  as_pg "$BIN/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -W -o "-p $port" >/dev/null
  deadline=$(( $(date +%s) + 60 ))
  until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "PostgreSQL on port $port not ready after 60 s:" >&2
      tail -n 20 "$dir/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  "$BIN/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'CREATE DATABASE atrium' 2>/dev/null || true
  echo "postgres://postgres@127.0.0.1:$port/atrium"
  ;;
stop)
  as_pg "$BIN/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null
  ;;
*)
  usage
  ;;
esac
