"""The chart: per department, cases settled on time / late / overdue / open within time / forwarded to a
competent authority (never judged on time) (PNG).

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global figure state, safe to run in
a worker thread) in DejaVu Sans, which ships with matplotlib and has every Vietnamese glyph.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.reports.metrics import Report
from bot.texts import reports as tr

FONT = "DejaVu Sans"
COLOURS = ("#2e7d32", "#f9a825", "#c62828", "#90a4ae", "#5c6bc0")  # on time, late, overdue, open, forwarded


def segments(report: Report) -> list[tuple[str, tuple[int, int, int, int, int]]]:
    """[(department label, (on time, late, overdue, open within time, forwarded))] for departments with
    cases."""
    rows = []
    for group in _groups(report):
        c = group.counts
        if c.cases:
            rows.append(
                (tr.department_name(group), (c.on_time, c.late, c.overdue, c.open_in_time, c.forwarded))
            )
    return rows


UNITS_SHOWN = 20  # a province's chart: the units with the most cases


def _groups(report: Report) -> list:
    """The bars: departments, or on a province's report the units with the most cases."""
    if len(report.by_unit) < 2:
        return report.by_department
    busiest = sorted(report.by_unit, key=lambda g: -g.counts.cases)[:UNITS_SHOWN]
    return [g for g in report.by_unit if g in busiest]


def render_chart(report: Report) -> bytes:
    rows = segments(report)
    height = max(3.4, 1.8 + 0.62 * max(1, len(rows)))
    fig = Figure(figsize=(9.5, height), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    font = {"family": FONT}
    ax.set_title(
        textwrap.fill(tr.chart_title(report), 70),
        fontdict={**font, "fontsize": 12, "fontweight": "bold"},
        pad=26 if rows else 6,
    )
    if not rows:
        ax.text(0.5, 0.5, tr.chart_empty(), ha="center", va="center", fontdict={**font, "fontsize": 12})
        ax.set_axis_off()
    else:
        labels = [textwrap.fill(name, 30) for name, _ in rows][::-1]
        values = [v for _, v in rows][::-1]
        positions = list(range(len(rows)))
        smallest_label = max(sum(v) for v in values) * 0.035  # narrower segments go unlabelled
        left = [0] * len(rows)
        for i, (series, colour) in enumerate(zip(tr.chart_series(), COLOURS, strict=True)):
            widths = [v[i] for v in values]
            bars = ax.barh(positions, widths, left=left, color=colour, label=series, height=0.6)
            for bar, width in zip(bars, widths, strict=True):
                if width and width >= smallest_label:
                    ax.text(
                        bar.get_x() + bar.get_width() / 2,
                        bar.get_y() + bar.get_height() / 2,
                        str(width),
                        ha="center",
                        va="center",
                        color="white" if i != 1 else "black",
                        fontdict={**font, "fontsize": 10, "fontweight": "bold"},
                    )
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(positions, labels, fontdict={**font, "fontsize": 10})
        ax.set_xlabel(tr.chart_axis(), fontdict={**font, "fontsize": 9})
        ax.xaxis.get_major_locator().set_params(integer=True)
        rates = [tr.chart_rate(g.counts.on_time_rate) for g in _groups(report) if g.counts.cases][::-1]
        for y, total, rate in zip(positions, left, rates, strict=True):
            ax.annotate(
                rate,
                (total, y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontfamily=FONT,
                fontsize=9,
                color="#444",
            )
        ax.set_xlim(0, max(left) * 1.22 + 0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=3,
            frameon=False,
            prop={"family": FONT, "size": 9},
        )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.text(
        0.99,
        0.01,
        tr.chart_footer(report),
        ha="right",
        va="bottom",
        fontfamily=FONT,
        fontsize=8,
        color="#666",
    )
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
