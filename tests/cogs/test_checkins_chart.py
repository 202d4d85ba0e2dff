"""The /progress chart: days without a check-in are gaps in the plotted data, never a line across them."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta

from matplotlib.image import imread

from bot.services.checkins import Progress, ProgressPoint
from bot.services.contracts import Streak
from cogs.checkins._chart import chart_series, render_progress_png
from cogs.checkins._embeds import chart_alt_text

FIRST = date(2026, 3, 1)


def progress(skip: set[int], days: int = 10) -> Progress:
    points = tuple(
        ProgressPoint(FIRST + timedelta(days=i), 3 + i % 5, i % 4, 6.5 if i % 2 else None)
        for i in range(days) if i not in skip
    )
    return Progress(FIRST, FIRST + timedelta(days=days - 1), points, Streak(2, 4, FIRST), len(points))


def test_a_missing_day_is_a_gap_in_the_plotted_data() -> None:
    series = chart_series(progress(skip={4}))
    assert len(series.days) == 10 and series.days[4] == FIRST + timedelta(days=4)
    assert math.isnan(series.mood[4]) and math.isnan(series.cravings[4]) and math.isnan(series.sleep[4])
    assert not math.isnan(series.mood[3]) and not math.isnan(series.mood[5])
    assert series.missing_days == 1


def test_the_seven_day_average_uses_only_days_with_a_mood() -> None:
    series = chart_series(progress(skip={1, 2}))
    moods = [3, 6, 7]  # days 0, 3, 4 (3 + i % 5)
    assert series.mood_average[4] == sum(moods) / len(moods)
    assert series.mood_average[0] == 3.0


def test_the_png_is_drawn_transparent_with_gaps_and_described_in_alt_text() -> None:
    data = progress(skip={4, 5})
    png = render_progress_png(data)
    image = imread(io.BytesIO(png))
    assert image.shape[2] == 4 and float(image[0, 0, 3]) == 0.0  # transparent corner: reads on dark and light
    text = chart_alt_text(data)
    assert "8 check-ins in 10 days" in text and "gaps" in text and "7-day average" in text
