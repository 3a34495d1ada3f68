"""run_dbt: a failed dbt invocation becomes one BuildError naming each failed node and
dbt's reason, read from the run's own run_results.json, never a traceback."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import settings_for
from threec.dbt import run_dbt, run_results
from threec.errors import BuildError
from threec.warehouse import connect


def test_a_failed_model_is_named_with_dbt_s_reason(tmp_path):
    settings = settings_for(tmp_path)
    settings.warehouse.parent.mkdir(parents=True)
    connect(settings).close()  # an empty warehouse: raw.conversations does not exist
    with pytest.raises(BuildError) as caught:
        run_dbt(settings, "run", dt.date(2025, 3, 31), "--select", "stg_conversations", progress=lambda _m: None)
    message = str(caught.value)
    assert message.startswith("dbt run failed (exit 1):")
    assert "model.threec.stg_conversations: error:" in message
    assert "conversations" in message.split("error:", 1)[1]
    # beside the two on-run-start hooks (Spark's raw tables; the build record, which this
    # warehouse does not have), the one model, failed
    assert [(r["unique_id"], r["status"]) for r in run_results(settings)] == \
        [("operation.threec.threec-on-run-start-0", "success"), ("operation.threec.threec-on-run-start-1", "success"),
         ("model.threec.stg_conversations", "error")]
