"""The Engine: feed -> analytics for the app and the CLI (history once, quotes per tick)."""

from __future__ import annotations

import functools
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl

from crowdwatch.analytics.alerts import with_alerts
from crowdwatch.analytics.live import session_date
from crowdwatch.analytics.model import Model, close_snapshot, live, prepare
from crowdwatch.analytics.positioning import SeriesBook, positioning_at, series_book
from crowdwatch.analytics.results import Snapshot
from crowdwatch.config.errors import ConfigError
from crowdwatch.config.loader import check_benchmark, load_config
from crowdwatch.config.schema import Config
from crowdwatch.config.watch import ConfigWatcher
from crowdwatch.feeds.base import Feed, FeedError
from crowdwatch.feeds.user_series import SeriesSource, open_series

STEP_CACHE = 8  # past days' snapshots kept for stepping back and forth
Method = TypeVar("Method", bound=Callable[..., Any])


def serialised(method: Method) -> Method:
    """One engine call at a time: the app's tick and day-step workers share the engine."""

    @functools.wraps(method)
    def run(self: Engine, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


def trading_days(history: pl.DataFrame) -> list[date]:
    """The days close_snapshot() can be T on: the dates with a usable close, ascending."""
    usable = history.filter(pl.col("close").is_not_null() & (pl.col("close") > 0))
    return usable.get_column("date").unique().sort().to_list()


def newer_than(quotes: pl.DataFrame | None, day: date) -> bool:
    return quotes is not None and quotes.height > 0 and session_date(quotes) > day


def quotes_as_closes(quotes: pl.DataFrame) -> pl.DataFrame:
    """A session's quotes as one day of history rows (for --as-of on or after that day)."""
    return quotes.select(
        pl.lit(session_date(quotes)).alias("date"), "ticker", pl.col("last").alias("close")
    )


def thin_days_warning(history: pl.DataFrame) -> str | None:
    """Dates that only a few tickers have: each is a trading day for all (DESIGN.md), so a
    stray row (a weekend print, a partial last day) nulls everyone's returns around it."""
    counts = history.group_by("date").len()
    typical = counts.get_column("len").median()
    thin = counts.filter(pl.col("len") < 0.5 * typical).sort("date").get_column("date")
    if thin.is_empty():
        return None
    shown = ", ".join(d.isoformat() for d in thin.head(3).to_list())
    more = f" and {thin.len() - 3} more" if thin.len() > 3 else ""
    return (
        f"prices: {shown}{more} have rows for under half the usual tickers; every ticker "
        "without a row there gets no return around that date (check the prices file)"
    )


def fallback_warning(history: pl.DataFrame, config: Config) -> str | None:
    """Without universe.csv, DESIGN.md leaves out every LETF underlying no theme lists:
    right for QQQ, surprising for AAPL (single-stock funds). Say which names that drops."""
    themed = {t for theme in config.themes for t in theme.tickers}
    underlyings = {f.underlying for f in config.letfs} - themed - {config.settings.benchmark}
    present = set(history.get_column("ticker").unique().to_list())
    left_out = sorted(underlyings & present)
    if not left_out:
        return None
    return (
        f"universe: no universe.csv, so the LETF underlyings {', '.join(left_out)} are not "
        "members (the rule for index ETFs); add a universe.csv to choose the members"
    )


def gap_warning(last_close: date, session: date) -> str | None:
    """Quotes two or more weekdays past the last close: 'today' spans several sessions."""
    skipped = int(np.busday_count(last_close + timedelta(days=1), session))
    if skipped < 2:  # one skipped weekday may be a holiday
        return None
    return (
        f"quotes for {session} but prices end {last_close}: today's returns span "
        f"{skipped + 1} sessions; update the prices file"
    )


def prepared_part(config: Config) -> Config:
    """What prepare() reads: the config without the settings only live() or the app read."""
    settings = replace(config.settings, alert_sigma=0.0, refresh_seconds=1.0, colour_scheme="")
    # alerts.yaml's rules are evaluated by live() on each snapshot: no prepare needed
    return replace(config, settings=settings, sources={}, alerts=type(config.alerts)())


def config_problem(exc: ConfigError) -> str:
    """A bad edit for the status line: the first problem (file:line: key ...) and a count."""
    first, more = exc.problems[0], len(exc.problems) - 1
    where = first.path.name if first.line is None else f"{first.path.name}:{first.line}"
    extra = f" (+{more} more problem{'s' if more > 1 else ''})" if more else ""
    # file, line and key first: the status line may cut the rest
    return f"{where}: {first.message}{extra}; not applied, last good config kept ({first.path})"


class Engine:
    """Loads the history once, then turns each poll of the feed's quotes into a Snapshot.

    With quotes newer than the history the snapshot is live; otherwise it is the close of
    the last history day. With as_of the answer is the close of that day and never ticks.
    With `watch_config` every tick first checks the config files: a good edit applies at
    once (re-preparing from the kept history only when prepare() reads what changed); a
    bad one keeps the last good config and is reported by errors() until it is fixed.
    With `keep_history` (the app) the history frame is kept so snapshot_at() answers an
    earlier day without reading the feed again.
    """

    def __init__(
        self,
        feed: Feed,
        config: Config,
        as_of: date | None = None,
        series: SeriesSource | None = None,
        *,
        config_dir: Path | None = None,
        watch_config: bool = False,
        keep_history: bool = False,
    ) -> None:
        self._lock = threading.RLock()
        self.feed = feed
        self.config = config
        self.config_dir = config_dir
        self._watcher = ConfigWatcher(config_dir) if watch_config else None
        self._config_error: str | None = None
        self._keep_history = keep_history or watch_config
        self._frames: tuple[pl.DataFrame, pl.DataFrame | None] | None = None
        self._days: list[date] = []  # the kept history's trading days
        # day -> (the history, config and series book it was answered from, the answer)
        self._past: OrderedDict[date, tuple[tuple[object, ...], Snapshot]] = OrderedDict()
        self._last_quotes: pl.DataFrame | None = None
        self.as_of = as_of
        self.source = feed.name
        self.simulated = feed.simulated
        self.refresh_seconds = config.settings.refresh_seconds
        self.static = as_of is not None
        self._model: Model | None = None
        self._last: Snapshot | None = None
        self._gap: str | None = None
        self._thin: str | None = None
        self._fallback: str | None = None
        # the desk's own series: --series, else the source's own (files folder, demo)
        self.series = series if series is not None else open_series(None, feed)
        self._series_frame: pl.DataFrame | None = None
        self._book: SeriesBook | None = None

    @property
    def watches_config(self) -> bool:
        """True when tick() applies config edits (so even an as-of answer should tick)."""
        return self._watcher is not None

    @property
    def cached(self) -> bool:
        return bool(getattr(self.feed, "cached", False))

    def warnings(self) -> list[str]:
        # the status line shows the last one: the least pressing come first
        series = self.series.warnings() if self.series is not None else []
        ordered = [self._fallback, *series, *self.feed.warnings(), self._thin, self._gap]
        return [w for w in ordered if w]

    def errors(self) -> list[str]:
        """Problems worked around: a config edit that was not applied."""
        return [self._config_error] if self._config_error else []

    def _history(self) -> tuple[pl.DataFrame, pl.DataFrame | None]:
        history = self.feed.history()
        check_benchmark(self.config, set(history.get_column("ticker").unique().to_list()))
        self._thin = thin_days_warning(history)
        universe = self.feed.universe()
        self._fallback = None if universe is not None else fallback_warning(history, self.config)
        if self._keep_history:  # for a re-prepare after a config edit, and snapshot_at()
            self._keep(history, universe)
        return history, universe

    def _keep(self, history: pl.DataFrame, universe: pl.DataFrame | None) -> None:
        self._frames = (history, universe)
        self._days = trading_days(history)

    def _series_book(self) -> SeriesBook | None:
        """The user series digested, again only when the source hands over a new frame."""
        frame = self.series.frame() if self.series is not None else None
        if frame is not self._series_frame:
            specs = {**getattr(self.series, "specs", {}), **self.config.settings.series}
            self._series_frame, self._book = frame, series_book(frame, specs)
        return self._book

    def _with_series(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with today's positioning from the current series (file changed)."""
        internals = snapshot.internals
        found = positioning_at(self._book, snapshot.as_of, internals.letf_gamma_usd_per_pct)
        changed = replace(
            snapshot,
            user_series=found.series,
            net_gamma_usd_per_pct=found.net_gamma_usd_per_pct,
        )
        return with_alerts(changed, self.config.alerts.rules)  # rules may read user series

    def _close(
        self, history: pl.DataFrame, universe: pl.DataFrame | None, as_of: date | None = None
    ) -> Snapshot:
        return close_snapshot(
            history,
            self.config,
            universe,
            as_of=as_of or self.as_of,
            source=self.source,
            simulated=self.simulated,
            user_series=self._series_book(),
        )

    # --- earlier days (the app's [ and ]) ------------------------------------------------
    @property
    def steps_days(self) -> bool:
        """True once a kept history lets snapshot_at() answer earlier days."""
        return self._frames is not None and len(self._days) >= 2

    def neighbour_day(self, day: date, step: int) -> date | None:
        """The trading day before (step -1) or after (+1) `day` that close_snapshot() can
        answer (it needs the day before it too); None past either end of the history."""
        days = self._days
        if step < 0:
            index = bisect_left(days, day) - 1
            return days[index] if index >= 1 else None
        index = bisect_right(days, day)
        return days[index] if index < len(days) else None

    @serialised
    def snapshot_at(self, day: date) -> Snapshot:
        """The close of `day`, answered exactly as `--as-of day` would, from the kept history
        (never the feed); the last few answers are kept while config and series stand."""
        if self._frames is None:
            raise FeedError("stepping through days needs the history, which is not loaded yet")
        history, universe = self._frames
        book = self._series_book()
        key = (history, self.config, book)
        kept = self._past.get(day)
        if kept is not None and all(a is b for a, b in zip(kept[0], key, strict=True)):
            self._past.move_to_end(day)
            return kept[1]
        snapshot = self._close(history, universe, as_of=day)
        self._past[day] = (key, snapshot)
        while len(self._past) > STEP_CACHE:
            self._past.popitem(last=False)
        return snapshot

    @serialised
    def start(self, quotes: pl.DataFrame | None = None, *, closing: bool = False) -> Snapshot:
        """Blocking: load and prepare the history, return the first snapshot.

        The quotes are polled after the history (the feed's closing quotes with `closing`):
        a source that cannot be reached fails once, and a feed can check quote times
        against the last close.
        """
        history, universe = self._history()
        last_day = history.get_column("date").max()
        if self.as_of is not None:
            closing = self.feed.closing_quotes()
            if newer_than(closing, last_day) and session_date(closing) <= self.as_of:
                history = pl.concat([history, quotes_as_closes(closing)], how="diagonal_relaxed")
                if self._frames is not None:
                    self._keep(history, universe)
            self._last = self._close(history, universe)
            return self._last
        if quotes is None:
            quotes = self.feed.closing_quotes() if closing else self.feed.quotes()
        if newer_than(quotes, last_day):
            self._model = prepare(history, self.config, universe)
            self._live(quotes)
            self._gap = gap_warning(last_day, self._last.as_of)
        else:
            self._last = self._close(history, universe)
        return self._last

    @serialised
    def tick(self) -> Snapshot:
        """Poll the quotes and recompute today's numbers (O(universe))."""
        if self._last is None:
            return self.start()
        self.reload_config()
        book = self._book
        if self._series_book() is not book:  # a new observation shows within one refresh
            self._last = self._with_series(self._last)
        if self.static:
            return self._last
        quotes = self.feed.quotes()
        if self._model is None:
            if newer_than(quotes, self._last.as_of):
                return self.start(quotes)  # a session opened after a close-mode start
        elif newer_than(quotes, self._model.last_date):
            if session_date(quotes) != self._last.as_of:
                return self.start(quotes)  # a new session: re-read the history first
            self._live(quotes)
        self.raise_source_problem()
        return self._last

    def reload_config(self) -> bool:
        """Apply edited config files (True when a new config took effect)."""
        if self._watcher is None or not self._watcher.changed():
            return False
        try:
            config = load_config(self.config_dir)
            if self._frames is not None:
                tickers = set(self._frames[0].get_column("ticker").unique().to_list())
                check_benchmark(config, tickers)
        except ConfigError as exc:
            self._config_error = config_problem(exc)
            return False
        self._config_error = None
        self.apply_config(config)
        return True

    def apply_config(self, config: Config) -> None:
        """Use `config` from now on, recomputing only what it changes."""
        reprepare = prepared_part(config) != prepared_part(self.config)
        self.config = config
        self.refresh_seconds = config.settings.refresh_seconds
        if hasattr(self.feed, "config"):
            self.feed.config = config
        if self._frames is None or self._last is None:
            return
        history, universe = self._frames
        if self._model is not None:
            if reprepare:
                self._model = None  # free the old model before the new one is built
                self._model = prepare(history, config, universe)
            else:
                self._model.config = config
            if self._last_quotes is not None:
                self._live(self._last_quotes)
        else:  # close mode or as-of: the close of the same day, with the new config
            self._last = self._close(history, universe)

    def _live(self, quotes: pl.DataFrame) -> None:
        self._last_quotes = quotes
        self._last = live(
            self._model, quotes, self.source, self.simulated, user_series=self._series_book()
        )

    def raise_source_problem(self) -> None:
        """A feed that kept its last good quotes through a problem reports it here.

        The screen keeps the last snapshot; the status line shows STALE and the text
        until a poll succeeds again.
        """
        problem = getattr(self.feed, "last_error", None)
        if problem:
            raise FeedError(problem)

    def session_trail(self) -> list[Snapshot]:
        """The report's session replayed at every quote time the feed can give (the demo:
        each minute to the close; other feeds: the closing quotes); [] in close mode."""
        last = self.report_snapshot()
        if self._model is None or last.mode != "live":
            return []
        replay = getattr(self.feed, "session_quotes", None)
        frames = list(replay()) if replay is not None else [self._last_quotes]
        return [live(self._model, q, self.source, self.simulated) for q in frames]

    def report_snapshot(self) -> Snapshot:
        """What `report`/`export` answer: the feed's closing quotes, else the close."""
        return self.start(closing=True)
