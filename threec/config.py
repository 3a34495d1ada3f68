"""Run configuration from the environment (THREEC_*); Airflow Variables may override.

Every path has a working default under the repository's ``data/`` folder so the demo
runs with no set-up. The pseudonym key has a default only in demo mode."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from threec.errors import ConfigError
from threec.secrets import checked_key

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = Path(os.environ.get("THREEC_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project"))
DEMO_PSEUDONYM_KEY = "threec-demo-pseudonym-key-NOT-FOR-REAL-DATA-0001"
DEMO_VAULT_KEY = "threec-demo-vault-key-NOT-FOR-REAL-IDENTIFIERS-0001"
MIN_KEY_LENGTH = 32

# The environment variables a deployment sets (docs/configuration.md documents each).
ENV_VARS = ("THREEC_LANDING_DIR", "THREEC_WAREHOUSE", "THREEC_OUTPUT_DIR", "THREEC_RETURNS_DIR",
            "THREEC_PSEUDONYM_KEY", "THREEC_VAULT_KEY", "THREEC_DEMO", "THREEC_VARS",
            "THREEC_DUCKDB_MEMORY_LIMIT", "THREEC_DUCKDB_THREADS")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "y", "on"}


def dbt_var_defaults() -> dict[str, Any]:
    """The *(setting)* defaults, held once, as vars in dbt_project.yml."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))
    return dict(project.get("vars") or {})


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    output_dir: Path
    returns_dir: Path
    pseudonym_key: str
    vault_key: str
    demo: bool
    var_overrides: dict[str, Any] = field(default_factory=dict)
    duckdb_memory_limit: str | None = None
    duckdb_threads: int | None = None

    @property
    def state_dir(self) -> Path:
        """Working files next to the warehouse: dbt target, logs, locks."""
        return self.warehouse.parent

    @property
    def spark_dir(self) -> Path:
        """The spark target's raw Parquet, tables and metastore (docs/spark.md):
        THREEC_SPARK_DIR, else <state>/spark."""
        return Path(os.environ.get("THREEC_SPARK_DIR") or self.state_dir / "spark")

    @property
    def vault_path(self) -> Path:
        """The identity vault: a DuckDB file of its own beside the warehouse, never published."""
        return self.state_dir / "identity-vault.duckdb"

    def dbt_vars(self) -> dict[str, Any]:
        merged = dbt_var_defaults()
        merged.update(self.var_overrides)
        return merged

    def child_env(self) -> dict[str, str]:
        """Environment for a child process (dbt, airflow) that must see the same settings."""
        env = dict(os.environ)
        env.update({
            "THREEC_LANDING_DIR": str(self.landing_dir),
            "THREEC_WAREHOUSE": str(self.warehouse),
            "THREEC_OUTPUT_DIR": str(self.output_dir),
            "THREEC_RETURNS_DIR": str(self.returns_dir),
            "THREEC_PSEUDONYM_KEY": self.pseudonym_key,
            "THREEC_VAULT_KEY": self.vault_key,
        })
        # dbt's profile reads these two; DuckDB's own defaults when not configured
        env["THREEC_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit or "80%"
        env["THREEC_DUCKDB_THREADS"] = str(self.duckdb_threads or os.cpu_count() or 1)
        # the spark target's metastore, tables and raw Parquet (docs/spark.md)
        env["THREEC_SPARK_DIR"] = str(self.spark_dir)
        if self.demo:
            env["THREEC_DEMO"] = "1"
        if self.var_overrides:
            env["THREEC_VARS"] = json.dumps(self.var_overrides)
        return env


def load_settings(overrides: Mapping[str, str | None] | None = None) -> Settings:
    """Settings from the environment, with ``overrides`` (Airflow Variables, CLI flags) on top."""
    source: dict[str, str] = {k: v for k, v in os.environ.items() if k.startswith("THREEC_")}
    for key, value in (overrides or {}).items():
        if value not in (None, ""):
            source[key] = str(value)
    data = REPO_ROOT / "data"
    demo = _truthy(source.get("THREEC_DEMO"))
    key = checked_key("THREEC_PSEUDONYM_KEY", source.get("THREEC_PSEUDONYM_KEY"), demo=demo,
                      demo_key=DEMO_PSEUDONYM_KEY, demo_keys=(DEMO_VAULT_KEY,),
                      purpose="it keys the NHS-number pseudonyms")
    vault_key = checked_key("THREEC_VAULT_KEY", source.get("THREEC_VAULT_KEY"), demo=demo,
                            demo_key=DEMO_VAULT_KEY, demo_keys=(DEMO_PSEUDONYM_KEY,),
                            purpose="it encrypts the identity vault that the yearly returns read")
    if vault_key == key:
        raise ConfigError("THREEC_VAULT_KEY must differ from THREEC_PSEUDONYM_KEY: one leaked secret "
                          "must not open both the pseudonyms and the identity vault.")
    try:
        var_overrides = json.loads(source["THREEC_VARS"]) if source.get("THREEC_VARS") else {}
    except json.JSONDecodeError as exc:
        raise ConfigError(f"THREEC_VARS is not valid JSON: {exc}") from None
    if not isinstance(var_overrides, dict):
        raise ConfigError("THREEC_VARS must be a JSON object of dbt var names to values.")
    threads = source.get("THREEC_DUCKDB_THREADS")
    return Settings(
        landing_dir=Path(source.get("THREEC_LANDING_DIR") or data / "landing").expanduser().resolve(),
        warehouse=Path(source.get("THREEC_WAREHOUSE") or data / "warehouse" / "threec.duckdb").expanduser().resolve(),
        output_dir=Path(source.get("THREEC_OUTPUT_DIR") or data / "output").expanduser().resolve(),
        returns_dir=Path(source.get("THREEC_RETURNS_DIR") or data / "returns").expanduser().resolve(),
        pseudonym_key=key,
        vault_key=vault_key,
        demo=demo,
        var_overrides=var_overrides,
        duckdb_memory_limit=source.get("THREEC_DUCKDB_MEMORY_LIMIT") or None,
        duckdb_threads=int(threads) if threads else None,
    )
