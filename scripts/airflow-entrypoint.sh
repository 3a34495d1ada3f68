#!/usr/bin/env bash
# The entrypoint of threec's Airflow image. docker-compose.yml runs every Airflow service
# through it (and its health checks), and tests/test_deployment.py starts the same
# components with it against a real PostgreSQL, so what the tests prove is what runs.
#
#   airflow-entrypoint.sh init             migrate the metadata database, create the admin user
#   airflow-entrypoint.sh api-server | scheduler | dag-processor | triggerer | celery-worker
#   airflow-entrypoint.sh health <component>   exit 0 when that component is healthy
#   airflow-entrypoint.sh <any command>    run it (e.g. `threec generate`, `airflow dags list`)
set -euo pipefail

die() { echo "threec: error: $*" >&2; exit 1; }

check() {
  # one clear line per missing secret or unwritable volume, before Airflow starts
  python -m threec.deploy check "$1"
}

wait_for_database() {
  local tries=0
  until airflow db check >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || die "the metadata database does not answer (airflow db check failed 30 times)"
    sleep 2
  done
}

health() {
  case "${1:-}" in
    api-server)
      python - "${AIRFLOW__API__PORT:-8080}" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v2/monitor/health", timeout=10) as r:
    status = json.load(r)
sys.exit(0 if status["metadatabase"]["status"] == "healthy" else 1)
PY
      ;;
    scheduler)
      python - "${AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT:-8974}" <<'PY'
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=10)
PY
      ;;
    dag-processor) airflow jobs check --job-type DagProcessorJob --local >/dev/null ;;
    triggerer) airflow jobs check --job-type TriggererJob --local >/dev/null ;;
    celery-worker)
      celery --app airflow.providers.celery.executors.celery_executor.app inspect ping \
        --destination "celery@${HOSTNAME:-$(hostname)}" --timeout 10 >/dev/null ;;
    *) die "health: unknown component '${1:-}'" ;;
  esac
}

component=${1:-}
[ -n "$component" ] || die "no component given: use init, api-server, scheduler, dag-processor, triggerer, celery-worker or health <component>"
shift

case "$component" in
  init)
    check init
    wait_for_database
    airflow db migrate
    # The password goes on the command line only inside this short-lived container;
    # Airflow masks it in its audit log. Existing users are left as they are. The
    # --name=value form keeps a value that starts with "-" from being read as an option.
    airflow users create --role=Admin --username="$AIRFLOW_ADMIN_USERNAME" \
      --password="$AIRFLOW_ADMIN_PASSWORD" --email="${AIRFLOW_ADMIN_EMAIL:-admin@localhost}" \
      --firstname="${AIRFLOW_ADMIN_FIRSTNAME:-threec}" --lastname="${AIRFLOW_ADMIN_LASTNAME:-admin}"
    echo "threec: init done: metadata database migrated, admin user '$AIRFLOW_ADMIN_USERNAME' present" >&2
    ;;
  api-server|scheduler|dag-processor|triggerer)
    check "$component"
    wait_for_database
    exec airflow "$component" "$@"
    ;;
  celery-worker)
    check celery-worker
    wait_for_database
    exec airflow celery worker "$@"
    ;;
  health) health "$@" ;;
  *) exec "$component" "$@" ;;
esac
