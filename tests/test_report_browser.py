"""The data-quality report in a real headless browser (Chromium from Debian's packages)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks")]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report_page(built_council, tmp_path_factory):
    settings, _ = built_council
    return settings.output_dir / "dq" / "index.html", tmp_path_factory.mktemp("browser")


def test_chromium_is_installed_by_the_setup():
    assert CHROMIUM, "make test installs Debian's chromium (scripts/system-packages.sh)"


def _chromium(tmp, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_the_report_renders_with_team_names_and_charts(report_page):
    page, tmp = report_page
    dom = _chromium(tmp, "--dump-dom", page.as_uri()).stdout
    assert "Data quality report" in dom and "Community Team East" in dom
    assert dom.count("<svg") >= 5 and "threshold" in dom
    # the sort script ran without breaking the page: the tables are still there
    assert dom.count('class="sortable"') >= 3


def test_a_screenshot_of_the_report(report_page):
    page, tmp = report_page
    shot = tmp / "report.png"
    _chromium(tmp, "--hide-scrollbars", "--window-size=1300,1600", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 50_000
    shutil.copy(shot, page.with_name("report-screenshot.png"))


def test_the_delayed_transfers_page_renders_charts_by_reason_and_agency(report_page):
    page, tmp = report_page
    delays = page.with_name("delayed-transfers.html")
    dom = _chromium(tmp, "--dump-dom", delays.as_uri()).stdout
    assert "Delayed transfers of care" in dom
    assert "Delayed days by reason" in dom and "Delayed days by responsible organisation" in dom
    assert dom.count('<svg class="chart"') == 2 and "SOCIAL_CARE" in dom
    assert "delayed-transfers.html" in page.read_text()  # linked from the main page
