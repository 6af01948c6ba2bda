"""Plotext charts: a dated line chart, the intraday basket chart and a sigma histogram."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from crowdwatch.widgets import format as fmt
from crowdwatch.widgets.format import NEW_YORK

OPEN_MINUTES = 9 * 60 + 30
# distinct markers so the lines stay apart without colour (NO_COLOR); colours that are
# neither the loss red nor the gain green, readable on dark and light schemes
INTRADAY_LINES = (
    ("winners", "Winners", (230, 120, 0), "•"),
    ("short_momentum", "Short-mom", (0, 150, 200), "+"),
    ("momentum_pair", "Pair", (160, 80, 210), "x"),
)
INTRADAY_UNIT = "% since prev close"
NICE_STEPS = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0)


def intraday_legend(pal: fmt.Palette) -> tuple[Text, ...]:
    """The chart's legend, drawn outside the plot, long and short: unit, then each line's
    marker and name."""
    out = []
    for unit, gap in ((INTRADAY_UNIT + ":", "  "), ("%:", " ")):
        text = Text(unit)
        for _, label, colour, marker in INTRADAY_LINES:
            text.append(gap)
            text.append(marker, style=pal.paint("rgb({},{},{})".format(*colour)))
            text.append(f" {label}")
        out.append(text)
    return tuple(out)


def zero_ticks(low: float, high: float, count: int = 5) -> tuple[list[float], list[str]]:
    """Round y ticks over [low, high] that always include a '0' (the previous close)."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low or 1.0
    step = next((s for s in NICE_STEPS if span / s <= count - 1), NICE_STEPS[-1])
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    ticks = [round(k * step, 6) for k in range(first, last + 1)]
    digits = 0 if step >= 1 else (1 if step * 10 == int(step * 10) else 2)
    labels = ["0" if t == 0 else f"{t:+.{digits}f}" for t in ticks]
    return ticks, labels


def time_ticks(start: float, end: float) -> tuple[list[int], list[str]]:
    """Minute-of-day x ticks on round times, at least two (the first and last point)."""
    span = end - start
    step = next((s for s in (5, 15, 30, 60) if span / s <= 6), 60)
    first = -(-int(start) // step) * step  # no tick before the first point
    ticks = list(range(first, int(end) + 1, step))
    if len(ticks) < 2:
        ticks = sorted({int(start), *ticks, int(end)})
    return ticks, [f"{t // 60:02d}:{t % 60:02d}" for t in ticks]


def _date_ticks(dates: Sequence[date], count: int = 4) -> tuple[list[int], list[str]]:
    if not dates:
        return [], []
    step = max((len(dates) - 1) // max(count - 1, 1), 1)
    ticks = list(range(0, len(dates), step))
    return ticks, [dates[i].isoformat() for i in ticks]


def _colour(widget: PlotextPlot, colour: str | tuple[int, int, int]) -> object:
    """A plotext colour, or the terminal default under NO_COLOR (markers tell lines apart)."""
    return colour if fmt.palette(widget).colour else None


class _Chart(PlotextPlot):
    """Redraws from its reactive data; the empty state shows a one-line message."""

    empty_message: reactive[str] = reactive("no data", init=False)

    def on_mount(self) -> None:
        self.replot()

    def watch_empty_message(self) -> None:
        self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.frame(False)
        if not self.draw(plt):
            plt.title(self.empty_message)
        self.refresh()

    def draw(self, plt) -> bool:  # noqa: ANN001 - plotext has no public type
        raise NotImplementedError


class SeriesChart(_Chart):
    """A line over dates (cumulative return, dispersion ratio ...)."""

    points: reactive[tuple[tuple[date, float | None], ...]] = reactive((), init=False)
    title: reactive[str] = reactive("", init=False)
    percent: reactive[bool] = reactive(True, init=False)

    def __init__(self, title: str = "", *, percent: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(SeriesChart.title, title)
        self.set_reactive(SeriesChart.percent, percent)

    def watch_points(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        known = [(d, v) for d, v in self.points if v is not None]
        if not known:
            return False
        dates = [d for d, _ in known]
        scale = 100.0 if self.percent else 1.0
        plt.plot(
            list(range(len(known))),
            [v * scale for _, v in known],
            color=_colour(self, "cyan"),
            marker="braille",
        )
        plt.xticks(*_date_ticks(dates))
        plt.title(self.title)
        if self.percent:
            plt.ylabel("%")
        return True


class IntradayChart(_Chart):
    """The three momentum baskets since the open, in percent, on New York time."""

    trail: reactive[Mapping[str, tuple[tuple[datetime, float], ...]]] = reactive(
        dict, init=False, always_update=True
    )

    empty_message: reactive[str] = reactive("intraday: no live quotes yet", init=False)

    def watch_trail(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        lines = [(key, colour, marker) for key, _, colour, marker in INTRADAY_LINES]
        drawn = [(k, c, m, self.trail.get(k, ())) for k, c, m in lines if self.trail.get(k)]
        if not drawn:
            return False
        values = [v * 100 for *_, points in drawn for _, v in points]
        for _, colour, marker, points in drawn:
            xs = [_minutes(ts) for ts, _ in points]
            plt.plot(xs, [v * 100 for _, v in points], color=_colour(self, colour), marker=marker)
        plt.horizontal_line(0.0, color=_colour(self, "gray"))
        plt.yticks(*zero_ticks(min(values), max(values)))
        start = min(_minutes(points[0][0]) for *_, points in drawn)
        end = max(_minutes(points[-1][0]) for *_, points in drawn)
        plt.xticks(*time_ticks(start, end))
        # a margin each side, so the first and last time labels stay clear of the y labels
        margin = max(end - start, 1.0) * 0.08
        plt.xlim(start - margin, end + margin)
        return True


def _minutes(ts: datetime) -> float:
    local = ts.astimezone(NEW_YORK)
    return local.hour * 60 + local.minute + local.second / 60


class SigmaHistogram(_Chart):
    """Daily sigma moves as a histogram, today marked with a vertical line."""

    sigmas: reactive[tuple[float, ...]] = reactive((), init=False)
    today: reactive[float | None] = reactive(None, init=False)

    def show(self, sigmas: Sequence[float], today: float | None) -> None:
        self.set_reactive(SigmaHistogram.today, today)
        self.sigmas = tuple(sigmas)

    def watch_sigmas(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        if not self.sigmas:
            return False
        plt.hist(list(self.sigmas), bins=40, color=_colour(self, "cyan"))
        title = "daily σ moves"
        if self.today is not None:
            plt.vertical_line(self.today, color=_colour(self, fmt.RGB[fmt.LOSS]))
            title += f"  (today {self.today:+.1f}σ = the vertical line)"
        plt.title(title)
        return True


BandPoint = tuple[date, float, float | None, float | None, float | None]


class BandChart(_Chart):
    """A user series over dates with the band of its past year (10th, 50th, 90th pctile)."""

    points: reactive[tuple[BandPoint, ...]] = reactive((), init=False)
    title: reactive[str] = reactive("", init=False)

    def __init__(self, title: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(BandChart.title, title)

    def watch_points(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        if not self.points:
            return False
        dates = [p[0] for p in self.points]
        x = list(range(len(self.points)))
        # the band first, so the series is drawn over it; gaps (under 10 observations) skipped
        for column, label, colour, marker in ((2, "p10", "gray", "."), (4, "p90", "gray", "."),
                                              (3, "median", "gray", "·")):  # fmt: skip
            known = [(i, p[column]) for i, p in zip(x, self.points, strict=True)
                     if p[column] is not None]  # fmt: skip
            if known:
                plt.plot([i for i, _ in known], [v for _, v in known], color=_colour(self, colour),
                         marker=marker, label=label)  # fmt: skip
        plt.plot(x, [p[1] for p in self.points], color=_colour(self, "cyan"), marker="braille",
                 label="value")  # fmt: skip
        plt.xticks(*_date_ticks(dates))
        plt.title(self.title)
        return True


class ScatterChart(_Chart):
    """Points (x, y) in percent, with zero lines: today's return against momentum."""

    points: reactive[tuple[tuple[float, ...], tuple[float, ...]]] = reactive(((), ()), init=False)
    title: reactive[str] = reactive("", init=False)

    def __init__(self, title: str = "", *, xlabel: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(ScatterChart.title, title)
        self.xlabel = xlabel

    def watch_points(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        xs, ys = self.points
        if not xs:
            return False
        plt.horizontal_line(0.0, color=_colour(self, "gray"))
        plt.vertical_line(0.0, color=_colour(self, "gray"))
        plt.scatter([x * 100 for x in xs], [y * 100 for y in ys], color=_colour(self, "cyan"),
                    marker="•")  # fmt: skip
        plt.title(self.title)
        plt.xlabel(self.xlabel)
        plt.ylabel("%")
        return True


# the analog days' lines: markers tell them apart without colour; today stands out
# RGB, so the chart (plotext maps names its own way) and its key (rich) agree
ANALOG_STYLES = (
    ((0, 190, 210), "+"),
    ((240, 160, 0), "x"),
    ((110, 190, 60), "o"),
    ((190, 90, 220), "*"),
    ((140, 140, 140), "."),
)
TODAY_STYLE = ((255, 50, 50), "●")
SESSION_MINUTES = 390


class AnalogPathChart(_Chart):
    """The pair compounded from the close before each analog day (x = -1) through the day
    itself (x = 0) and the 21 days after it, with today's path so far in bright red: the
    intraday trail over the session (-1 to 0), else today's return at 0. No plotext
    legend (it would hide the start of the lines): analog_legend() is the key."""

    empty_message = "no analog days"
    paths: reactive[tuple[tuple[str, tuple[float, ...]], ...]] = reactive((), init=False)
    today: reactive[tuple[tuple[float, float], ...]] = reactive((), init=False)

    def show(
        self,
        paths: Sequence[tuple[str, tuple[float, ...]]],
        today_return: float | None,
        trail: Sequence[tuple[datetime, float]] = (),
    ) -> None:
        """`paths`: (label, path) per analog; `trail`: today's intraday points, if live."""
        points = [(-1.0, 0.0)]
        points += [(session_share(ts) - 1.0, value) for ts, value in trail]
        if not trail and today_return is not None:
            points.append((0.0, today_return))
        self.set_reactive(AnalogPathChart.today, tuple(points) if len(points) > 1 else ())
        self.paths = tuple(paths)

    def watch_paths(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        if not self.paths:
            return False
        thin = fmt.palette(self).colour  # thin lines in colour; without it the markers do
        for (_, path), (colour, marker) in zip(self.paths, ANALOG_STYLES, strict=False):
            xs = list(range(-1, len(path)))
            plt.plot(xs, [0.0, *(v * 100 for v in path)], color=_colour(self, colour),
                     marker="braille" if thin else marker)  # fmt: skip
        if self.today:  # drawn last: over the analogs
            plt.plot([x for x, _ in self.today], [v * 100 for _, v in self.today],
                     color=_colour(self, TODAY_STYLE[0]), marker=TODAY_STYLE[1])  # fmt: skip
        plt.horizontal_line(0.0, color=_colour(self, "gray"))
        plt.xticks([-1, 0, 5, 10, 15, 21], ["prev", "day", "+5", "+10", "+15", "+21"])
        plt.ylabel("pair %")
        return True


def session_share(ts: datetime) -> float:
    """How far into the 09:30-16:00 session `ts` is, from 0 to 1."""
    return min(max(_minutes(ts) - OPEN_MINUTES, 0.0), SESSION_MINUTES) / SESSION_MINUTES


def analog_legend(labels: Sequence[str], today: bool, pal: fmt.Palette = fmt.COLOUR) -> Text:
    """The key of AnalogPathChart: each label in its line's colour, with its marker."""
    key = Text()
    styles = [*zip(labels, ANALOG_STYLES, strict=False)]
    if today:
        styles.append(("today so far", TODAY_STYLE))
    for label, (colour, marker) in styles:
        if key:
            key.append("  ")
        rgb = "rgb({},{},{})".format(*colour)
        style = pal.paint(f"bold {rgb}", "bold") if label.startswith("today") else pal.paint(rgb)
        key.append(f"{marker} {label}", style=style)
    return key
