"""The trend chart of an impact report: files in use per day, as a PNG (matplotlib, Agg).

The picture holds numbers and ISO dates only, no words, so it serves every
language. What it counts goes in the PNG's ``Title`` metadata, which the wiki
shows on the file page; it also keeps two charts that look alike today (the
hub's and its only request's) from being the same bytes, which the wiki
would refuse as a duplicate. The PNG carries no creation time or software
version, so the same data always gives the same file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

#: Wikimedia's colours: the line, the axes, the grid.
LINE = "#3366cc"
AXIS = "#54595d"
GRID = "#eaecf0"


def make_chart(
    points: Sequence[tuple[date, int]], width: int = 640, height: int = 320, *, title: str = ""
) -> bytes:
    """A PNG line chart of a count per day, days placed by date, the y axis from zero."""
    dpi = 100
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    axes = figure.add_subplot()
    ordered = sorted(points)
    days = [day for day, _ in ordered]
    values = [value for _, value in ordered]
    if ordered:
        axes.plot(
            mdates.date2num(days), values, color=LINE, linewidth=2.5, marker="s", markersize=5
        )
    axes.set_ylim(bottom=0, top=max(max(values, default=0), 1) * 1.1)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=6))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    if len(set(days)) == 1:
        only = mdates.date2num(days[0])
        axes.set_xlim(only - 1, only + 1)
    axes.grid(axis="y", color=GRID)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(AXIS)
    axes.tick_params(colors=AXIS, labelsize=9)
    figure.tight_layout()
    out = io.BytesIO()
    metadata: dict[str, str | None] = {"Software": None}
    if title:
        metadata["Title"] = title
    figure.savefig(out, format="png", metadata=metadata)
    return out.getvalue()
