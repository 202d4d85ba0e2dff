"""The /progress chart: a PNG of mood and cravings, drawn without pyplot's global state.

``render_progress_png`` is synchronous and CPU-bound; the cog runs it in a worker thread
(asyncio.to_thread). Using ``matplotlib.figure.Figure`` with the Agg canvas directly keeps
it thread-safe: no pyplot figure manager, no global current figure.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from bot.services.checkins import Progress

MOOD_COLOUR = "#e08e45"
CRAVING_COLOUR = "#4a6fa5"


def render_progress_png(progress: Progress) -> bytes:
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    mood = [(p.day, p.mood) for p in progress.points if p.mood is not None]
    cravings = [(p.day, p.cravings) for p in progress.points if p.cravings is not None]
    if mood:
        axes.plot(
            date2num([d for d, _ in mood]), [v for _, v in mood], marker="o", color=MOOD_COLOUR, label="Mood (1–10)"
        )
    if cravings:
        axes.plot(
            date2num([d for d, _ in cravings]), [v for _, v in cravings], marker="s", linestyle="--",
            color=CRAVING_COLOUR, label="Cravings (0–10)",
        )
    axes.set_xlim(float(date2num(progress.first_day)), float(date2num(progress.last_day)))
    axes.set_ylim(-0.5, 10.5)
    axes.set_yticks(range(0, 11, 2))
    axes.grid(True, alpha=0.3)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_title(
        f"{progress.count} check-ins · current streak {progress.streak.current} · "
        f"longest {progress.streak.longest}"
    )
    if mood or cravings:
        axes.legend(loc="upper left")
    else:
        axes.text(0.5, 0.5, "No check-ins in this window yet", ha="center", va="center", transform=axes.transAxes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
