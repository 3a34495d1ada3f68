"""Render the report as one self-contained HTML page: inline CSS, inline SVG charts and a
few lines of inline script for sorting, so it opens offline from a file share."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from threec.config import Settings
from threec.csv_out import copy_query_to_csv
from threec.files import atomic_write_text, ensure_dir
from threec.periods import last_months
from threec.report.data import ReportData, load, snapshot_findings
from threec.report.delays import render_delays_page
from threec.report.html import CSS, SORT_SCRIPT, e, table
from threec.warehouse import connect

log = logging.getLogger("threec.report")

FINDING_TEXT = {
    "unexplained": "Went straight from a first to a third conversation with no reason or meaningful note recorded",
    "unchallenged": "Direct move to a third conversation that nobody peer-challenged (no huddle date)",
    "premature": "Direct move to a third conversation after a first conversation of two days or less",
    "c3_during_open_c2": "Long-term planning (C3) started while a crisis conversation (C2) was still open",
    "lts_without_recent_c3": "Long-term package started with no third conversation in the 90 days before",
    "escalated_without_next": "Outcome ESCALATED but no further conversation followed",
    "next_after_non_escalated": "A further conversation followed an outcome other than ESCALATED",
}




def rate_chart(team_name: str, rates: list[dict], threshold: float, as_of: dt.date) -> str:
    """Monthly unexplained-escalation rate over the last 12 months against the threshold."""
    width, height, left, bottom, top = 340, 170, 34, 28, 10
    months = last_months(as_of, 12)
    by_month = {r["month"]: r for r in rates}
    step = (width - left - 24) / (len(months) - 1)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - min(v, 1.0))

    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="Unexplained escalation rate by month for {e(team_name)}">',
             f'<title>Unexplained C1 to C3 escalation rate, {e(team_name)}</title>']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eceff3"/>'
                     f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="9" text-anchor="end" fill="#5c6677">'
                     f'{int(tick * 100)}%</text>')
    parts.append(f'<line class="threshold" x1="{left}" x2="{width - 8}" y1="{y(threshold):.1f}" '
                 f'y2="{y(threshold):.1f}" stroke="#b3261e" stroke-dasharray="5,4"/>'
                 f'<text x="{width - 8}" y="{y(threshold) - 3:.1f}" font-size="9" text-anchor="end" fill="#b3261e">'
                 f'threshold {threshold:.0%}</text>')
    points = []
    for i, month in enumerate(months):
        x = left + i * step
        if i % 2 == 1 or i == len(months) - 1:
            parts.append(f'<text x="{x:.1f}" y="{height - 10}" font-size="9" text-anchor="middle" fill="#5c6677">'
                         f'{month:%b %y}</text>')
        r = by_month.get(month)
        if r and r["unexplained_rate"] is not None:
            points.append((x, y(r["unexplained_rate"]), r))
    if points:
        parts.append('<polyline fill="none" stroke="#1f3a5f" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _ in points) + '"/>')
        for x, yy, r in points:
            over = r["unexplained_rate"] > threshold
            parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3.5" fill="{"#b3261e" if over else "#1f3a5f"}">'
                         f'<title>{e(r["period"])}: {r["unexplained"]} of {r["direct_escalations"]} unexplained '
                         f'({r["unexplained_rate"]:.0%})</title></circle>')
    else:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="12" fill="#5c6677">'
                     'no direct escalations in the last 12 months</text>')
    parts.append("</svg>")
    return "".join(parts)


def _flags(r: dict) -> str:
    return ", ".join(n for n, k in (("unexplained", "is_unexplained_escalation"),
                                    ("unchallenged", "is_unchallenged_escalation"),
                                    ("premature", "is_premature_escalation")) if r.get(k))


def render(data: ReportData, report) -> str:
    names = {t["team_id"]: t["team_name"] for t in data.teams}
    failed, warned = report.failed, report.warnings
    status = ("fail", "Checks FAILED: nothing was published today") if failed else \
        ("warn", f"{len(warned)} warning(s)") if warned else ("ok", "All checks passed")
    total_findings = sum(data.finding_counts.values())
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>threec data quality, "
           f"{data.as_of}</title><meta name='viewport' content='width=device-width'><style>{CSS}</style></head><body>",
           f"<header><h1>Data quality report</h1><p>Figures as of {data.as_of:%d %B %Y} &middot; run {e(report.run_id)}"
           f"</p></header><main>",
           "<nav><a href='#checks'>Checks</a><a href='#changes'>What changed</a><a href='#teams'>Teams</a>"
           "<a href='#quarantine'>Quarantine</a><a href='data_docs/index.html'>Great Expectations Data Docs</a>"
           "<a href='worklist.csv'>Worklist (CSV)</a><a href='delayed-transfers.html'>Delayed transfers</a></nav>",
           f"<div class='cards'><div class='card'><span>Status</span><b class='{status[0]}'>{e(status[1])}</b></div>"
           f"<div class='card'><span>Findings on the worklist</span><b>{total_findings:,}</b></div>"
           f"<div class='card'><span>Unexplained escalations</span><b>{data.finding_counts.get('unexplained', 0):,}</b></div>"
           f"<div class='card'><span>Rows quarantined</span><b>{sum(q['rows'] for q in data.quarantine):,}</b></div>"
           "</div>"]
    out.append("<section id='checks'><h2>Checks</h2>" + table(
        ["check", "severity", "result", "failing", "of", "examples", "what it checks"],
        [[r.name, r.severity, "passed" if r.success else ("FAILED" if r.severity == "fail" else "warning"),
          r.failing_count, r.checked, "; ".join(f"{f['subject']} ({f['value']:g})" for f in r.failing[:4]),
          r.description] for r in report.results]) + "</section>")
    since = f"since the run as of {data.previous_as_of}" if data.previous_as_of else "(first run: nothing to compare)"
    change_rows = [[f, FINDING_TEXT.get(f, ""), data.new_findings.get(f, 0), data.resolved_findings.get(f, 0),
                    data.finding_counts.get(f, 0)] for f in FINDING_TEXT]
    files = data.files_this_run
    out.append(f"<section id='changes'><h2>What changed {e(since)}</h2>"
               + table(["finding", "meaning", "new", "resolved", "on the worklist now"], change_rows)
               + f"<h3>Files this run</h3><p class='muted'>{len(files)} file(s) delivered since the last run.</p>"
               + (table(["file", "status", "delivered", "loaded", "quarantined"],
                         [[f["file"], f["status"], f["rows_delivered"], f["rows_loaded"], f["rows_quarantined"]]
                          for f in files]) if files else "") + "</section>")
    out.append("<section id='teams'><h2>Teams: unexplained C1&rarr;C3 escalations and the worklist</h2>"
               f"<p class='muted'>The chart shows each month's share of direct escalations (C1/C1A straight to C3, "
               f"by month of the C3's start) that were unexplained; the dashed line is the {data.threshold:.0%} "
               f"threshold. The worklist lists findings from the last 90 days; older ones are in worklist.csv.</p>")
    team_ids = [t["team_id"] for t in data.teams] + sorted(set(data.worklist) - set(names))
    for team_id in team_ids:
        name = names.get(team_id, team_id)
        findings = data.worklist.get(team_id, [])
        rows = [[r["finding"], FINDING_TEXT.get(r["finding"], ""), r["conversation_id"],
                 r["next_conversation_id"] or r["package_id"] or r["related_conversation_id"],
                 r["worker_id"], r["finding_date"], _flags(r)] for r in findings]
        older = data.older_findings.get(team_id, 0)
        chart = rate_chart(name, data.rates.get(team_id, []), data.threshold, data.as_of) if team_id in names \
            else "<p class='muted'>Findings not attached to a team (for example a package with no agreeing conversation).</p>"
        out.append(f"<h3 class='team-name'>{e(name)} <span class='muted'>({e(team_id)})</span></h3><div class='team'>"
                   f"<div>{chart}</div>"
                   f"<div class='scroll'>"
                   + (table(["finding", "why it is on the list", "conversation", "next / package", "worker",
                              "date", "flags"], rows) if rows else "<p class='muted'>No findings in the last 90 days.</p>")
                   + (f"<p class='muted'>{older:,} older finding(s) in worklist.csv.</p>" if older else "")
                   + "</div></div>")
    out.append("</section>")
    out.append("<section id='quarantine'><h2>Quarantine by file and rule</h2><p class='muted'>Rows rejected at "
               "ingest, by the rule they broke; the rest of each file loaded. Details: dq.quarantine.</p>"
               + table(["file", "entity", "column", "rule", "rows", "first row"],
                        [[q["file"], q["entity"], q["column"], q["rule"], q["rows"], q["first_row"]]
                         for q in data.quarantine]) + "</section>")
    out.append(f"</main><script>{SORT_SCRIPT}</script></body></html>")
    return "".join(out)


def write_worklist_csv(con, path: Path) -> int:
    """dq.escalation_worklist as CSV, newest findings first (millions of rows at national
    scale, so written by DuckDB's COPY)."""
    # the finding's key completes the order, so a rerun writes the same bytes
    return copy_query_to_csv(con, "select * from dq.escalation_worklist",
                             "finding_date desc nulls last, finding, conversation_id, next_conversation_id, "
                             "package_id, related_conversation_id", path)


def write_report(settings: Settings, as_of: dt.date, report, progress=log.info) -> Path:
    folder = ensure_dir(settings.output_dir / "dq")
    dbt_vars = settings.dbt_vars()
    threshold = float(dbt_vars["unexplained_rate_threshold"])
    con = connect(settings)
    try:
        snapshot_findings(con, as_of, report.run_id, int(dbt_vars["worklist_history_days"]))
        data = load(con, as_of, report.run_id, threshold)
        write_worklist_csv(con, folder / "worklist.csv")
        delays_page = render_delays_page(con, as_of)
    finally:
        con.close()
    atomic_write_text(folder / "delayed-transfers.html", delays_page)
    path = folder / "index.html"
    atomic_write_text(path, render(data, report))
    report.report_path = str(path)
    progress(f"data-quality report: {path}")
    return path
