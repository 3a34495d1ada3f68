"""Publishing for BI readers: readers in other processes read `current` in a loop while
versions are published one after another, and every set they read is whole and from one
version. Runs on a small hand-made warehouse so hundreds of reads fit in seconds."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from helpers import settings_for
from threec.errors import ThreecError
from threec.publish import (MANIFEST, PRUNE_AFTER_SECONDS, _prune, current_dir, current_version, marts_dir,
                            publish_marts)
from threec.warehouse import connect

AS_OF = dt.date(2025, 3, 31)
# Row counts differ per table and per generation, so a file from another generation, or
# half a file, cannot pass for the expected one.
TABLES = {"fct_alpha": 3000, "fct_beta": 1700, "rpt_gamma": 40, "rpt_delta": 900}


def rows_for(table: str, generation: int) -> int:
    return TABLES[table] + 7 * generation


def write_generation(settings, generation: int, extra_sql: str = "") -> None:
    con = connect(settings)
    try:
        con.execute("create schema if not exists marts")
        for table in TABLES:
            con.execute(f"""create or replace table marts.{table} as
                select {generation} as generation, i as id, md5(i::text || '{table}') as payload
                from range({rows_for(table, generation)}) t(i)""")
        if extra_sql:
            con.execute(extra_sql)
    finally:
        con.close()


def generation_of(version_name: str) -> int:
    return int(version_name.split(".")[0].removeprefix("g"))


def _read_pinned_sets(marts: str, stop, seen, failures) -> None:
    """A careful BI reader: resolve `current` once, then read every table of that version."""
    import pyarrow.parquet as pq
    while not stop.is_set():
        try:
            current = current_version(Path(marts))
        except ThreecError as exc:
            if len(seen):  # once published, `current` must never be missing, even mid-swap
                failures.append(str(exc))
            continue
        gen = generation_of(current.manifest["version"])
        files = sorted(p.name for p in current.path.glob("*.parquet"))
        if files != sorted(f"{t}.parquet" for t in TABLES) or set(current.tables) != set(TABLES):
            failures.append(f"version {current.manifest['version']}: files {files}")
            continue
        for table in TABLES:
            data = pq.read_table(current.table(table), columns=["generation"])
            gens = set(data.column("generation").to_pylist())
            if gens != {gen} or data.num_rows != rows_for(table, gen) or current.tables[table] != data.num_rows:
                failures.append(f"version {current.manifest['version']} {table}: generations {sorted(gens)}, "
                                f"{data.num_rows} rows")
        seen.append(current.manifest["version"])


def _read_with_duckdb(marts: str, stop, seen, failures) -> None:
    """The SQL reader's recipe (docs/deployment.md): take the version from
    `current/_manifest.json`, then query that version's folder, which never changes."""
    import duckdb
    con = duckdb.connect()
    while not stop.is_set():
        try:
            (version,) = con.execute(f"select version from read_json('{marts}/current/{MANIFEST}')").fetchone()
        except duckdb.IOException as exc:
            if len(seen):
                failures.append(f"duckdb: {exc}")
            continue
        gen = generation_of(version)
        rows = con.execute(f"""select parse_filename(filename, true), list(distinct generation), count(*)
            from read_parquet('{marts}/versions/{version}/*.parquet', filename = true) group by all""").fetchall()
        got = {name: (gens, n) for name, gens, n in rows}
        if got != {t: ([gen], rows_for(t, gen)) for t in TABLES}:
            failures.append(f"duckdb read of version {version}: {got}")
        else:
            seen.append(version)


def _read_one_file_through_link(marts: str, stop, seen, failures) -> None:
    """A reader pointed at one file under `current/` that opens it once (pandas, Power BI's
    Parquet connector): it gets one whole file of one generation."""
    import pyarrow.parquet as pq
    path = os.path.join(marts, "current", "fct_alpha.parquet")
    while not stop.is_set():
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            if len(seen):
                failures.append(f"{path} is missing")
            continue
        with fh:
            data = pq.read_table(fh, columns=["generation"])
        gens = sorted(set(data.column("generation").to_pylist()))
        if len(gens) != 1 or data.num_rows != rows_for("fct_alpha", gens[0]):
            failures.append(f"current/fct_alpha.parquet: generations {gens}, {data.num_rows} rows")
        else:
            seen.append(gens[0])


def test_readers_never_see_a_partial_or_mixed_set_during_publishes(tmp_path):
    settings = settings_for(tmp_path)
    marts = str(marts_dir(settings))
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        stop = manager.Event()
        seen_sets, seen_sql, seen_files, failures = (manager.list() for _ in range(4))
        readers = [ctx.Process(target=_read_pinned_sets, args=(marts, stop, seen_sets, failures)),
                   ctx.Process(target=_read_with_duckdb, args=(marts, stop, seen_sql, failures)),
                   ctx.Process(target=_read_one_file_through_link, args=(marts, stop, seen_files, failures))]
        for reader in readers:
            reader.start()
        try:
            generations = 12
            for gen in range(1, generations + 1):
                write_generation(settings, gen)
                publish_marts(settings, f"g{gen}", AS_OF, progress=lambda _m: None)
                # Let the careful reader finish at least one read of this version, so reads
                # keep overlapping the next publish rather than all landing after the last.
                while (f"g{gen}" not in seen_sets[-5:] and not len(failures)
                       and all(r.is_alive() for r in readers)):
                    time.sleep(0.01)
        finally:
            stop.set()
            for reader in readers:
                reader.join(60)
                if reader.is_alive():
                    reader.kill()
        assert all(r.exitcode == 0 for r in readers), [r.exitcode for r in readers]
        assert list(failures) == []
        assert {f"g{g}" for g in range(1, generations + 1)} <= set(seen_sets)
        # the other two readers also read across the swaps
        assert len(set(seen_sql)) >= 2 and len(set(seen_files)) >= 2
    # the previous version stays beside the current one
    current = current_version(Path(marts))
    assert current.manifest["version"] == f"g{generations}"
    assert (Path(marts) / "versions" / f"g{generations - 1}" / MANIFEST).is_file()


def test_a_failed_publish_leaves_current_untouched(tmp_path):
    settings = settings_for(tmp_path)
    write_generation(settings, 1)
    publish_marts(settings, "g1", AS_OF, progress=lambda _m: None)
    before = current_dir(settings).resolve()
    write_generation(settings, 2, "create or replace table marts.leaky as select 'x' as postcode")
    with pytest.raises(ThreecError, match="refusing to publish marts.leaky"):
        publish_marts(settings, "g2", AS_OF, progress=lambda _m: None)
    assert current_dir(settings).resolve() == before
    assert current_version(marts_dir(settings)).manifest["version"] == "g1"
    # nothing half-written is left beside the versions
    assert sorted(p.name for p in (marts_dir(settings) / "versions").iterdir()) == ["g1"]


def test_a_retried_publish_never_rewrites_the_version_readers_are_in(tmp_path):
    settings = settings_for(tmp_path)
    write_generation(settings, 1)
    first = publish_marts(settings, "run-1", AS_OF, progress=lambda _m: None)
    fingerprint = {p.name: p.stat().st_mtime_ns for p in first.version_dir.iterdir()}
    second = publish_marts(settings, "run-1", AS_OF, progress=lambda _m: None)  # e.g. an Airflow retry
    assert second.version_dir != first.version_dir and second.version_dir.name == "run-1.2"
    assert {p.name: p.stat().st_mtime_ns for p in first.version_dir.iterdir()} == fingerprint
    assert current_version(marts_dir(settings)).path == second.version_dir


def test_old_versions_are_pruned_only_after_being_superseded_for_a_while(tmp_path):
    settings = settings_for(tmp_path)
    versions = marts_dir(settings) / "versions"
    for gen in (1, 2, 3, 4):
        write_generation(settings, gen)
        publish_marts(settings, f"g{gen}", AS_OF, progress=lambda _m: None)
    # published moments ago: a reader may still be inside g1 or g2, so all four stay
    assert sorted(p.name for p in versions.iterdir()) == ["g1", "g2", "g3", "g4"]
    now = time.time()
    for age, gen in ((4, 1), (3, 2), (2, 3)):  # hours ago
        stamp = now - age * PRUNE_AFTER_SECONDS
        os.utime(versions / f"g{gen}", (stamp, stamp))
    (versions / ".g9.partial").mkdir()
    os.utime(versions / ".g9.partial", (now - 2 * PRUNE_AFTER_SECONDS,) * 2)
    _prune(versions, keep=versions / "g4", now=now)
    # g1 and g2 were superseded hours ago; g3 (the previous) and g4 (current) stay
    assert sorted(p.name for p in versions.iterdir()) == ["g3", "g4"]


def test_the_manifest_names_the_version_and_its_tables(tmp_path):
    settings = settings_for(tmp_path)
    write_generation(settings, 5)
    published = publish_marts(settings, "g5", AS_OF, progress=lambda _m: None)
    manifest = json.loads((published.version_dir / MANIFEST).read_text())
    assert manifest["version"] == "g5" and manifest["as_of_date"] == "2025-03-31"
    assert manifest["tables"] == {t: rows_for(t, 5) for t in TABLES}
    # `current` is a relative link, so the published folder can be copied or shared as a whole
    assert not os.readlink(current_dir(settings)).startswith("/")


def test_current_version_before_any_publish_is_a_clear_error(tmp_path):
    settings = settings_for(tmp_path)
    with pytest.raises(ThreecError, match="nothing is published yet"):
        current_version(marts_dir(settings))
