# Sourced by the bench scripts.

# fresh_database sqlite|postgres NAME DIR: exports TRILATERAL_DATABASE_URL for an empty database,
# the SQLite file DIR/NAME.db or the Postgres database NAME, created through PG_ADMIN_URL
# (default postgres://postgres@127.0.0.1:5432/postgres).
fresh_database() {
  local backend=$1 name=$2 dir=$3
  case "$backend" in
    sqlite)
      rm -f "$dir/$name".db*
      export TRILATERAL_DATABASE_URL="$dir/$name.db"
      ;;
    postgres)
      local admin=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
      psql "$admin" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
      export TRILATERAL_DATABASE_URL="${admin%/*}/$name"
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
}

# drop_database sqlite|postgres NAME: drops the Postgres database NAME (a SQLite file goes with
# its folder).
drop_database() {
  if [[ $1 == postgres ]]; then
    psql "${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -qc \
      "DROP DATABASE IF EXISTS $2 WITH (FORCE)"
  fi
}
