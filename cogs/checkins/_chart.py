"""The /progress chart: a PNG of mood, its 7-day average, cravings and sleep, drawn without pyplot's global state.

``render_progress_png`` is synchronous and CPU-bound; the cog runs it in a worker thread
(asyncio.to_thread). Using ``matplotlib.figure.Figure`` with the Agg canvas directly keeps
it thread-safe: no pyplot figure manager, no global current figure.

Days without a check-in are gaps (NaN in the plotted data), never a line drawn across them. The background
is transparent and text and grid are a mid grey, so the picture reads on Discord's dark and light themes.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from bot.services.checkins import Progress

MOOD_COLOUR = "#f0883e"
AVERAGE_COLOUR = "#d2a8ff"
CRAVING_COLOUR = "#58a6ff"
SLEEP_COLOUR = "#3fb950"
INK = "#8b949e"  # readable on Discord's dark (#313338) and light (#ffffff) backgrounds
NAN = math.nan
AVERAGE_DAYS = 7


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One value per day of the window; NaN where there was no check-in (or no value that day)."""

    days: tuple[date, ...]
    mood: tuple[float, ...]
    mood_average: tuple[float, ...]  # mean of the mood values of the last 7 days, NaN when there are none
    cravings: tuple[float, ...]
    sleep: tuple[float, ...]

    @property
    def missing_days(self) -> int:
        return sum(1 for m, c, s in zip(self.mood, self.cravings, self.sleep, strict=True)
                   if math.isnan(m) and math.isnan(c) and math.isnan(s))


def chart_series(progress: Progress) -> ChartSeries:
    by_day = {p.day: p for p in progress.points}
    days = tuple(
        progress.first_day + timedelta(days=i) for i in range((progress.last_day - progress.first_day).days + 1)
    )

    def value(day: date, field: str) -> float:
        point = by_day.get(day)
        v = None if point is None else getattr(point, field)
        return NAN if v is None else float(v)

    mood = tuple(value(d, "mood") for d in days)
    average: list[float] = []
    for i in range(len(days)):
        window = [m for m in mood[max(0, i - AVERAGE_DAYS + 1): i + 1] if not math.isnan(m)]
        average.append(sum(window) / len(window) if window else NAN)
    return ChartSeries(
        days=days, mood=mood, mood_average=tuple(average), cravings=tuple(value(d, "cravings") for d in days),
        sleep=tuple(value(d, "sleep_hours") for d in days),
    )


def _style(axes: Axes) -> None:
    axes.tick_params(colors=INK, labelcolor=INK)
    for spine in axes.spines.values():
        spine.set_color(INK)
        spine.set_alpha(0.4)


def render_progress_png(progress: Progress) -> bytes:
    series = chart_series(progress)
    figure = Figure(figsize=(8, 4), dpi=100)
    figure.patch.set_alpha(0)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.set_facecolor("none")
    x = date2num(list(series.days))
    has_sleep = any(not math.isnan(s) for s in series.sleep)
    if has_sleep:
        sleep_axes = axes.twinx()
        sleep_axes.bar(x, series.sleep, width=0.8, color=SLEEP_COLOUR, alpha=0.25, label="Sleep (hours)", zorder=0)
        sleep_axes.set_ylim(0, 14)
        sleep_axes.set_ylabel("Sleep (hours)", color=INK)
        _style(sleep_axes)
        axes.set_zorder(sleep_axes.get_zorder() + 1)  # lines above the bars
        axes.patch.set_visible(False)
    plotted = False
    if any(not math.isnan(m) for m in series.mood):
        axes.plot(x, series.mood, marker="o", markersize=4, linewidth=2, color=MOOD_COLOUR, label="Mood (1–10)")
        axes.plot(x, series.mood_average, linewidth=1.5, linestyle="--", color=AVERAGE_COLOUR,
                  label="Mood, 7-day average")
        plotted = True
    if any(not math.isnan(c) for c in series.cravings):
        axes.plot(x, series.cravings, marker="s", markersize=3, linewidth=1.5, linestyle=":", color=CRAVING_COLOUR,
                  label="Cravings (0–10)")
        plotted = True
    axes.set_xlim(float(date2num(progress.first_day)) - 0.5, float(date2num(progress.last_day)) + 0.5)
    axes.set_ylim(-0.5, 10.5)
    axes.set_yticks(range(0, 11, 2))
    axes.grid(True, color=INK, alpha=0.25)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    _style(axes)
    axes.set_title(
        f"{progress.count} check-ins · current streak {progress.streak.current} · longest {progress.streak.longest}",
        color=INK,
    )
    if plotted or has_sleep:
        handles, labels = axes.get_legend_handles_labels()
        if has_sleep:
            more_handles, more_labels = sleep_axes.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        # Below the plot, so it never covers a point.
        legend = axes.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4,
                             fontsize=8, frameon=False)
        for text in legend.get_texts():
            text.set_color(INK)
    else:
        axes.text(0.5, 0.5, "No check-ins in this window yet", ha="center", va="center", color=INK,
                  transform=axes.transAxes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", transparent=True)
    return buffer.getvalue()
