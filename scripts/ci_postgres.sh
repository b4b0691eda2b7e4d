# Sourced by .ci/run after scripts/bootstrap.sh: a real PostgreSQL server on localhost for the storage
# tests' second backend (tests/storage), named to them by OCA_TEST_POSTGRES_URL.
if ! command -v pg_lsclusters >/dev/null || [ ! -d /usr/lib/postgresql ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
if [ -z "$(pg_lsclusters -h)" ]; then
    as_root pg_createcluster "$(ls /usr/lib/postgresql | sort -V | tail -n1)" main
fi
read -r pg_version pg_cluster pg_port pg_status _ < <(pg_lsclusters -h | head -n1)
if [ "$pg_status" != "online" ]; then
    as_root pg_ctlcluster "$pg_version" "$pg_cluster" start
fi
pg_sql() { (cd / && as_root runuser -u postgres -- psql -p "$pg_port" -qtAX -d postgres -c "$1"); }
if [ "$(pg_sql "SELECT 1 FROM pg_roles WHERE rolname = 'oca_test'")" != "1" ]; then
    pg_sql "CREATE ROLE oca_test LOGIN PASSWORD 'oca_test'"
fi
if [ "$(pg_sql "SELECT 1 FROM pg_database WHERE datname = 'oca_test'")" != "1" ]; then
    pg_sql "CREATE DATABASE oca_test OWNER oca_test"
fi
pg_sql "ALTER DATABASE oca_test OWNER TO oca_test"  # each test makes its own schema there
export OCA_TEST_POSTGRES_URL="postgresql://oca_test:oca_test@localhost:${pg_port}/oca_test"
