"""Plotext charts: a dated line chart, the intraday basket chart and a sigma histogram."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from crowdwatch.widgets.format import NEW_YORK, colour_on, paint

OPEN_MINUTES = 9 * 60 + 30
# distinct markers so the lines stay apart without colour (NO_COLOR)
INTRADAY_LINES = (
    ("winners", "Winners", "red", "•"),
    ("short_momentum", "Short-mom", "green", "+"),
    ("momentum_pair", "Pair", "blue", "x"),
)


def _date_ticks(dates: Sequence[date], count: int = 4) -> tuple[list[int], list[str]]:
    if not dates:
        return [], []
    step = max((len(dates) - 1) // max(count - 1, 1), 1)
    ticks = list(range(0, len(dates), step))
    return ticks, [dates[i].isoformat() for i in ticks]


def _colour(name: str | tuple[int, int, int]) -> str | tuple[int, int, int] | None:
    """A plotext colour, or the terminal default under NO_COLOR (markers tell lines apart)."""
    return name if colour_on() else None


class _Chart(PlotextPlot):
    """Redraws from its reactive data; the empty state shows a one-line message."""

    empty_message = "no data"

    def on_mount(self) -> None:
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
            color=_colour("cyan"),
            marker="braille",
        )
        plt.xticks(*_date_ticks(dates))
        plt.title(self.title)
        if self.percent:
            plt.ylabel("%")
        return True


class IntradayChart(_Chart):
    """The three momentum baskets since the open, in percent, on New York time."""

    empty_message = "intraday: no live quotes yet"
    trail: reactive[Mapping[str, tuple[tuple[datetime, float], ...]]] = reactive(
        dict, init=False, always_update=True
    )

    def watch_trail(self) -> None:
        self.replot()

    def draw(self, plt) -> bool:  # noqa: ANN001
        drawn = False
        for key, label, color, marker in INTRADAY_LINES:
            points = self.trail.get(key, ())
            if not points:
                continue
            xs = [_minutes(ts) for ts, _ in points]
            plt.plot(
                xs, [v * 100 for _, v in points], label=label, color=_colour(color), marker=marker
            )
            drawn = True
        if drawn:
            plt.horizontal_line(0.0, color=_colour("gray"))
            start = min(_minutes(pts[0][0]) for pts in self.trail.values() if pts)
            end = max(_minutes(pts[-1][0]) for pts in self.trail.values() if pts)
            step = 30 if end - start <= 150 else 60  # labels need ~6 columns each
            first = -(-int(start) // step) * step  # no tick before the first point (09:00)
            ticks = list(range(first, int(end) + 1, step)) or [int(start)]
            plt.xticks(ticks, [f"{t // 60:02d}:{t % 60:02d}" for t in ticks])
            plt.ylabel("% vs prev close")  # the baskets' return today
        return drawn


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
        plt.hist(list(self.sigmas), bins=40, color=_colour("cyan"))
        title = "daily σ moves"
        if self.today is not None:
            plt.vertical_line(self.today, color=_colour("red"))
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
                plt.plot([i for i, _ in known], [v for _, v in known], color=_colour(colour),
                         marker=marker, label=label)  # fmt: skip
        plt.plot(x, [p[1] for p in self.points], color=_colour("cyan"), marker="braille",
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
        plt.horizontal_line(0.0, color=_colour("gray"))
        plt.vertical_line(0.0, color=_colour("gray"))
        plt.scatter([x * 100 for x in xs], [y * 100 for y in ys], color=_colour("cyan"),
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
        thin = colour_on()  # thin lines in colour; without it the markers tell them apart
        for (_, path), (colour, marker) in zip(self.paths, ANALOG_STYLES, strict=False):
            xs = list(range(-1, len(path)))
            plt.plot(xs, [0.0, *(v * 100 for v in path)], color=_colour(colour),
                     marker="braille" if thin else marker)  # fmt: skip
        if self.today:  # drawn last: over the analogs
            plt.plot([x for x, _ in self.today], [v * 100 for _, v in self.today],
                     color=_colour(TODAY_STYLE[0]), marker=TODAY_STYLE[1])  # fmt: skip
        plt.horizontal_line(0.0, color=_colour("gray"))
        plt.xticks([-1, 0, 5, 10, 15, 21], ["prev", "day", "+5", "+10", "+15", "+21"])
        plt.ylabel("pair %")
        return True


def session_share(ts: datetime) -> float:
    """How far into the 09:30-16:00 session `ts` is, from 0 to 1."""
    return min(max(_minutes(ts) - OPEN_MINUTES, 0.0), SESSION_MINUTES) / SESSION_MINUTES


def analog_legend(labels: Sequence[str], today: bool) -> Text:
    """The key of AnalogPathChart: each label in its line's colour, with its marker."""
    key = Text()
    styles = [*zip(labels, ANALOG_STYLES, strict=False)]
    if today:
        styles.append(("today so far", TODAY_STYLE))
    for label, (colour, marker) in styles:
        if key:
            key.append("  ")
        rgb = "rgb({},{},{})".format(*colour)
        style = paint(f"bold {rgb}", "bold") if label.startswith("today") else paint(rgb)
        key.append(f"{marker} {label}", style=style)
    return key
