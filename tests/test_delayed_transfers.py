"""Delayed transfers of care end to end: a small hand-written hospital_delays history through
the real ingest, dbt and publish steps of the daily run, on two days, checked against days
counted by hand from the words of metrics.md ("delayed on day d when ready_date <= d <
discharge_date, d <= as-of date while still delayed"). To stay quick, dbt builds only the delay
models and what they read, without tests (the full build in test_pipeline runs them all), and
the data-quality checks step is left out (this history is too small for the checks about
conversations, which are not what is tested here)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from threec.dbt import run_dbt
from threec.pipeline import ingest_step, new_run_id, publish_step
from threec import publish as publish_module
from threec.publish import current_dir
from threec.warehouse import connect

from helpers import row, settings_for, write_csv

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pipeline")]
QUIET = lambda _msg: None  # noqa: E731

SC, NHS, BOTH = "SOCIAL_CARE", "NHS", "BOTH"
DELAY_MODELS = "+rpt_delayed_transfers +rpt_discharge_delay_bands"


def delay(delay_id: str, ready: str, discharge: str, *, provider="RXX01", bed="ACUTE", reason="A", org=SC,
          modified="2025-01-10T09:00:00", person="", nhs="", deleted="false") -> dict[str, str]:
    return row("hospital_delays", delay_id=delay_id, ready_date=ready, discharge_date=discharge,
               provider_code=provider, bed_type=bed, reason_code=reason, responsible_org=org,
               last_modified=modified, person_id=person, nhs_number=nhs, is_deleted=deleted)


def write_history(landing) -> None:
    first = landing / "2025-01-10"
    write_csv(first, "people", [row("people")])  # P1, NHS number 9434765919
    write_csv(first, "teams", [row("teams")])
    write_csv(first, "requests", [row("requests")])
    # C1 of P1 starts 2025-01-12: nine days after D-YEAR-END's discharge
    write_csv(first, "conversations", [row("conversations")])
    write_csv(first, "hospital_delays", [
        # across the year end; known only by NHS number (spaced), which finds P1
        delay("D-YEAR-END", "2024-12-30", "2025-01-03", nhs="943 476 5919"),
        # leap-year February: 27, 28, 29 Feb and 1 Mar
        delay("D-LEAP", "2024-02-27", "2024-03-02", reason="B", org=NHS),
        # discharged on the ready day: no delayed day
        delay("D-SAME-DAY", "2025-01-05", "2025-01-05"),
        # deleted in the next extract
        delay("D-DELETED", "2025-01-02", ""),
        # discharge corrected from 20 Jan to 8 Jan in the next extract (later last_modified)
        delay("D-CORRECTED", "2025-01-06", "2025-01-20", provider="RYY02", bed="NON_ACUTE", reason="D1", org=BOTH),
        # a stale correction (older last_modified) arrives later and loses
        delay("D-STALE", "2025-01-08", "2025-01-12", provider="RYY02", bed="NON_ACUTE", reason="D1", org=BOTH),
    ])
    second = landing / "2025-02-01"
    write_csv(second, "hospital_delays", [
        delay("D-DELETED", "2025-01-02", "", modified="2025-01-31T09:00:00", deleted="true"),
        delay("D-CORRECTED", "2025-01-06", "2025-01-08", provider="RYY02", bed="NON_ACUTE", reason="D1", org=BOTH,
              modified="2025-01-31T09:00:00"),
        delay("D-STALE", "2025-01-08", "2025-01-25", provider="RYY02", bed="NON_ACUTE", reason="D1", org=BOTH,
              modified="2025-01-09T09:00:00"),
    ])
    third = landing / "2025-03-31"
    write_csv(third, "hospital_delays", [
        # still delayed: counted through the as-of date inclusive
        delay("D-STILL", "2025-03-25", "", reason="E", modified="2025-03-31T09:00:00"),
        # discharged after the as-of date: still delayed on it
        delay("D-LEAVES-LATER", "2025-03-30", "2025-04-02", reason="E", org=NHS, modified="2025-03-31T09:00:00"),
        # ready after the as-of date: not there yet
        delay("D-READY-LATER", "2025-04-01", "", reason="E", modified="2025-03-31T09:00:00"),
    ])


def month(text: str) -> dt.date:
    return dt.date.fromisoformat(text + "-01")


# (month, provider, bed type, reason, organisation) -> delayed days, counted by hand
AT_10_JAN = {
    (month("2024-02"), "RXX01", "ACUTE", "B", NHS): 3,        # D-LEAP 27-29 Feb
    (month("2024-03"), "RXX01", "ACUTE", "B", NHS): 1,        # D-LEAP 1 Mar
    (month("2024-12"), "RXX01", "ACUTE", "A", SC): 2,         # D-YEAR-END 30-31 Dec
    (month("2025-01"), "RXX01", "ACUTE", "A", SC): 2 + 9,     # D-YEAR-END 1-2 Jan; D-DELETED 2-10 Jan (not deleted yet)
    (month("2025-01"), "RYY02", "NON_ACUTE", "D1", BOTH): 5 + 3,  # D-CORRECTED 6-10 Jan (leaves 20th, after 10th); D-STALE 8-10
}
AT_31_MAR = {
    (month("2024-02"), "RXX01", "ACUTE", "B", NHS): 3,
    (month("2024-03"), "RXX01", "ACUTE", "B", NHS): 1,
    (month("2024-12"), "RXX01", "ACUTE", "A", SC): 2,
    (month("2025-01"), "RXX01", "ACUTE", "A", SC): 2,         # D-DELETED gone
    (month("2025-01"), "RYY02", "NON_ACUTE", "D1", BOTH): 2 + 4,  # D-CORRECTED 6-7 Jan; D-STALE 8-11 Jan
    (month("2025-03"), "RXX01", "ACUTE", "E", SC): 7,         # D-STILL 25-31 Mar
    (month("2025-03"), "RXX01", "ACUTE", "E", NHS): 2,        # D-LEAVES-LATER 30-31 Mar
}


def delayed_days(con) -> dict[tuple, int]:
    return {tuple(r[:5]): r[5] for r in con.execute(
        "select month, provider_code, bed_type, reason_code, responsible_org, delayed_days "
        "from marts.fct_delayed_days").fetchall()}


def daily_run(settings, as_of: dt.date) -> None:
    """The daily run's ingest, dbt and publish steps; dbt builds only the delay models and what
    they read, without tests (the full build runs every data test), so the finance
    workbook, which reads finance marts not built here, is not written."""
    run_id = new_run_id(as_of)
    ingest_step(settings, as_of, run_id, QUIET)
    run_dbt(settings, "build", as_of, "--select", DELAY_MODELS,
            "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", progress=QUIET)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(publish_module, "publish_finance_workbook", lambda *_args: None)
        publish_step(settings, as_of, run_id, QUIET)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two daily runs: on 10 January (only the first extract has arrived) and on 31 March."""
    tmp = tmp_path_factory.mktemp("delays")
    settings = settings_for(tmp)
    write_history(settings.landing_dir)
    seen = {}
    for as_of in ("2025-01-10", "2025-03-31"):
        daily_run(settings, dt.date.fromisoformat(as_of))
        con = connect(settings, read_only=True)
        try:
            seen[as_of] = {
                "days": delayed_days(con),
                "delays": {r[0]: r[1:] for r in con.execute(
                    "select delay_id, delay_days, person_id, person_linked_by, became, followup_conversation_id, "
                    "delay_band from marts.fct_delays").fetchall()},
                "months": {r[0]: r[1:] for r in con.execute(
                    "select month, delayed_days, delayed_days_nhs, delayed_days_social_care, delayed_days_both, "
                    "days_counted, average_delayed_beds_per_day, adult_population, "
                    "average_delayed_beds_per_day_per_100k_adults from marts.rpt_delayed_transfers").fetchall()},
            }
        finally:
            con.close()
    return settings, seen


def test_delayed_days_as_of_an_early_date_use_only_what_was_known(runs):
    _, seen = runs
    assert seen["2025-01-10"]["days"] == AT_10_JAN


def test_delayed_days_after_corrections_deletions_and_open_delays(runs):
    _, seen = runs
    assert seen["2025-03-31"]["days"] == AT_31_MAR


def test_each_delay_its_days_band_and_what_followed(runs):
    _, seen = runs
    delays = seen["2025-03-31"]["delays"]
    assert set(delays) == {"D-YEAR-END", "D-LEAP", "D-SAME-DAY", "D-CORRECTED", "D-STALE", "D-STILL",
                           "D-LEAVES-LATER"}
    assert delays["D-YEAR-END"] == (4, "P1", "nhs_pseudonym", "C1", "C1", "4-6")
    assert delays["D-SAME-DAY"][0] == 0 and delays["D-SAME-DAY"][-1] == "0"
    assert delays["D-STALE"][0] == 4 and delays["D-STALE"][-1] == "4-6"
    assert delays["D-STILL"] == (7, None, None, "none", None, None)
    assert delays["D-LEAVES-LATER"][0] == 2 and delays["D-LEAVES-LATER"][-1] is None
    assert sum(d[0] for d in delays.values()) == sum(AT_31_MAR.values())


def test_monthly_report_splits_by_agency_and_divides_by_the_days(runs):
    _, seen = runs
    months = seen["2025-03-31"]["months"]
    assert min(months) == month("2024-02") and max(months) == month("2025-03") and len(months) == 14
    assert months[month("2024-02")][:5] == (3, 3, 0, 0, 29)
    assert months[month("2024-06")][:5] == (0, 0, 0, 0, 30)
    total, nhs, sc, both, days, avg, population, per_100k = months[month("2025-03")]
    assert (total, nhs, sc, both, days) == (9, 2, 7, 0, 31)
    assert avg == pytest.approx(9 / 31)
    assert per_100k == pytest.approx(9 / 31 / population * 100_000)
    # as of 10 January only ten days of January had happened
    assert seen["2025-01-10"]["months"][month("2025-01")][4:6] == (10, pytest.approx(19 / 10))


def test_published_parquet_carries_the_delay_tables(runs):
    settings, seen = runs
    folder = current_dir(settings)
    for name in ("fct_delayed_days", "fct_delays", "rpt_delayed_transfers", "rpt_discharge_delay_bands"):
        assert (folder / f"{name}.parquet").exists(), name
    con = duckdb.connect()
    published = {tuple(r[:5]): r[5] for r in con.execute(
        "select month, provider_code, bed_type, reason_code, responsible_org, delayed_days from read_parquet(?)",
        [str(folder / "fct_delayed_days.parquet")]).fetchall()}
    assert published == AT_31_MAR


def test_a_new_day_reuses_the_parsed_project(runs):
    """The as-of date reaches dbt by environment, read only when dbt executes, so a new
    day parses nothing again (a changed var, or a variable read while parsing, would make
    dbt parse the files that read it); the figures above prove each day still got its own
    date."""
    settings, _ = runs
    log_text = (settings.state_dir / "dbt_logs" / "dbt.log").read_text(encoding="utf-8", errors="replace")
    assert log_text.count("Unable to do partial parsing because saved manifest not found") == 1
    assert "config vars, config profile, or config target have changed" not in log_text
    assert "Partial parsing: updated file" not in log_text
    assert "Partial parsing enabled, no changes found, skipping parsing" in log_text
