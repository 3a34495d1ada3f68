# threec's Airflow image: the project and every dependency at the versions of constraints.txt.
# docker-compose.yml runs each Airflow component from it through scripts/airflow-entrypoint.sh.
FROM python:3.11-slim-bookworm

ARG THREEC_UID=50000
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AIRFLOW_HOME=/opt/airflow \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    DO_NOT_TRACK=1 \
    GX_ANALYTICS_ENABLED=false

# tini reaps the task processes Airflow forks and passes signals on, so `docker compose stop`
# lets a running task end cleanly.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid "${THREEC_UID}" --gid 0 --home-dir /opt/airflow --create-home --shell /usr/sbin/nologin threec

WORKDIR /opt/threec
# Dependencies first (threec's and the `deploy` extra's, pinned by the lock file), so a code
# change does not reinstall them.
COPY constraints.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir "uv==0.13.9" \
 && uv pip install --system --no-cache --compile-bytecode --constraint constraints.txt \
      -r pyproject.toml --extra deploy

# The project itself, installed in place: threec finds dbt_project/ and expectations/ beside it.
COPY threec/ threec/
COPY dags/ dags/
COPY dbt_project/ dbt_project/
COPY expectations/ expectations/
COPY scripts/ scripts/
RUN uv pip install --system --no-cache --no-deps --compile-bytecode -e . \
 && mkdir -p /srv/threec/landing /srv/threec/warehouse /srv/threec/output /srv/threec/returns /opt/airflow/logs \
 && chown -R "${THREEC_UID}:0" /srv/threec /opt/airflow \
 && chmod -R g+rwX /srv/threec /opt/airflow

USER ${THREEC_UID}
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/threec/scripts/airflow-entrypoint.sh"]
CMD ["scheduler"]
