"""The delayed-transfers page of the report (THREEC_OUTPUT_DIR/dq/delayed-transfers.html):
monthly delayed days by reason and by responsible organisation, beds per day, delay bands,
and which delays became C1, C2 or C3 work. Self-contained like the main page."""

from __future__ import annotations

import datetime as dt

import duckdb

from threec.contract import load_contract
from threec.periods import last_months
from threec.report.data import fetch_dicts
from threec.report.html import CSS, SORT_SCRIPT, e, table

PALETTE = ["#1f3a5f", "#3f7cac", "#95b8d1", "#e07a5f", "#f2cc8f", "#81b29a", "#6d597a", "#b56576",
           "#9a8c98", "#4a4e69"]
AGENCY = [("NHS", "delayed_days_nhs"), ("SOCIAL_CARE", "delayed_days_social_care"), ("BOTH", "delayed_days_both")]


def stacked_bars(title: str, months: list[dt.date], series: list[tuple[str, dict[dt.date, float]]]) -> str:
    """Monthly stacked bars with a legend: one colour per series."""
    width, height, left, bottom, top, legend_w = 680, 240, 44, 30, 12, 250
    plot_w = width - left - legend_w
    totals = [sum(s.get(m, 0) for _, s in series) for m in months]
    peak = max(totals + [1])
    bar = plot_w / len(months)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / peak)

    out = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'aria-label="{e(title)}"><title>{e(title)}</title>']
    for tick in (0, 0.5, 1.0):
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(peak * tick):.1f}" y2="{y(peak * tick):.1f}" '
                   f'stroke="#eceff3"/><text x="{left - 4}" y="{y(peak * tick) + 4:.1f}" font-size="9" '
                   f'text-anchor="end" fill="#5c6677">{peak * tick:,.0f}</text>')
    for i, month in enumerate(months):
        x, base = left + i * bar + 2, 0.0
        for k, (name, values) in enumerate(series):
            v = values.get(month, 0)
            if v:
                out.append(f'<rect x="{x:.1f}" y="{y(base + v):.1f}" width="{bar - 4:.1f}" '
                           f'height="{y(base) - y(base + v):.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                           f'<title>{month:%b %Y}: {e(name)} {v:,.0f} delayed days</title></rect>')
                base += v
        if i % 2 == 1 or i == len(months) - 1:
            out.append(f'<text x="{x + bar / 2 - 2:.1f}" y="{height - 12}" font-size="9" text-anchor="middle" '
                       f'fill="#5c6677">{month:%b %y}</text>')
    for k, (name, _values) in enumerate(series):
        ly = top + 14 * k
        out.append(f'<rect x="{width - legend_w + 10}" y="{ly}" width="10" height="10" '
                   f'fill="{PALETTE[k % len(PALETTE)]}"/><text x="{width - legend_w + 24}" y="{ly + 9}" '
                   f'font-size="10" fill="#1d2433">{e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def render_delays_page(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> str:
    months = last_months(as_of, 12)
    reasons = {c.code: c.label for c in load_contract().code_lists["delay_reason"]}
    by_reason: dict[str, dict[dt.date, float]] = {}
    for r in fetch_dicts(con, "select month, reason_code, sum(delayed_days) as days from marts.fct_delayed_days "
                        "where month >= ? group by all", [months[0]]):
        by_reason.setdefault(r["reason_code"], {})[r["month"]] = r["days"]
    monthly = fetch_dicts(con, "select * from marts.rpt_delayed_transfers where month >= ? order by month", [months[0]])
    by_agency = [(org, {m["month"]: m[col] for m in monthly}) for org, col in AGENCY]
    reason_series = [(f"{code} {reasons[code]}"[:40], by_reason[code]) for code in reasons if code in by_reason]
    bands = fetch_dicts(con, "select month, band, delays, delayed_bed_days, mean_delay_days from "
                       "marts.rpt_discharge_delay_bands where month >= ? order by month desc, band_sort",
                  [last_months(as_of, 6)[0]])
    became = fetch_dicts(con, """select provider_code, any_value(provider_name) as provider_name,
            count(*) filter (where became = 'C1A') as c1a, count(*) filter (where became = 'C1') as c1,
            count(*) filter (where became = 'C2') as c2, count(*) filter (where became = 'C3') as c3,
            count(*) filter (where became = 'none') as none, count(*) as delays
        from marts.fct_delays where discharge_date >= ? group by provider_code order by provider_code""",
                   [months[0]])
    per100k = any(m["adult_population"] for m in monthly)
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>threec delayed transfers, "
           f"{as_of}</title><style>{CSS}</style></head><body><header><h1>Delayed transfers of care</h1>"
           f"<p>Figures as of {as_of:%d %B %Y} &middot; <a style='color:#fff' href='index.html'>data-quality "
           f"report</a></p></header><main>",
           "<section><h2>Delayed days by reason</h2>"
           + stacked_bars("Delayed days by reason, last 12 months", months, reason_series) + "</section>",
           "<section><h2>Delayed days by responsible organisation</h2>"
           + stacked_bars("Delayed days by responsible organisation, last 12 months", months, by_agency)
           + table(["month", "delayed days", "NHS", "social care", "both", "average delayed beds per day",
                     "per 100,000 adults" if per100k else "per 100,000 adults (no population configured)"],
                    [[f"{m['month']:%Y-%m}", m["delayed_days"], m["delayed_days_nhs"], m["delayed_days_social_care"],
                      m["delayed_days_both"], f"{m['average_delayed_beds_per_day']:.2f}",
                      "" if m["average_delayed_beds_per_day_per_100k_adults"] is None
                      else f"{m['average_delayed_beds_per_day_per_100k_adults']:.2f}"] for m in reversed(monthly)])
           + "</section>",
           "<section><h2>Delays ending each month, by length</h2>"
           + table(["month", "band (days)", "delays", "delayed bed days", "mean delay (days)"],
                    [[f"{b['month']:%Y-%m}", b["band"], b["delays"], b["delayed_bed_days"],
                      "" if b["mean_delay_days"] is None else f"{b['mean_delay_days']:.1f}"] for b in bands])
           + "</section>",
           "<section><h2>What the delays became</h2><p class='muted'>Delays discharged in the last 12 months, "
           "by the conversation that followed the discharge (within the follow-up window).</p>"
           + table(["provider", "name", "C1A", "C1", "C2", "C3", "none", "delays"],
                    [[b["provider_code"], b["provider_name"], b["c1a"], b["c1"], b["c2"], b["c3"], b["none"],
                      b["delays"]] for b in became]) + "</section>",
           f"</main><script>{SORT_SCRIPT}</script></body></html>"]
    return "".join(out)
