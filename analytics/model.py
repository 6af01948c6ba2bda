"""The Model (one state per number family, from the history up to the previous close d),
prepare() that builds it, and close_snapshot(); live() (live.py) runs on every tick."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from crowdwatch.analytics.attribution import AttributionBasis, attribution_basis
from crowdwatch.analytics.events import EventState
from crowdwatch.analytics.factors import BasketPass, BasketState
from crowdwatch.analytics.history_lens import HistoryLens, build_lens
from crowdwatch.analytics.internals import InternalsState
from crowdwatch.analytics.jobs import shared_pool
from crowdwatch.analytics.letf import LetfState
from crowdwatch.analytics.live import QuoteColumns, live
from crowdwatch.analytics.moves import SeriesState
from crowdwatch.analytics.panel import Panel, build_panel
from crowdwatch.analytics.positioning import SeriesBook
from crowdwatch.analytics.results import Snapshot
from crowdwatch.analytics.signals import beta_signal, own_row_signals, window_signals
from crowdwatch.analytics.themes import (
    ThemePaths,
    ThemeState,
    theme_comovements,
    theme_history,
    trailing_rms,
)
from crowdwatch.analytics.windows import moments as running_moments
from crowdwatch.config.calendar import NEW_YORK_NAME, SESSION_CLOSE_OFFSET
from crowdwatch.config.schema import Config

__all__ = ["Model", "close_snapshot", "live", "prepare"]


@dataclass(slots=True)
class Model:
    """Everything live() needs, computed once from the history up to the previous close d.

    Not frozen: a config edit that prepare() does not read (alert rules, the alert sigma)
    swaps `config` in place (session.engine); the family states are frozen.
    """

    config: Config
    panel: Panel
    signals_at_d: dict[str, np.ndarray]  # (tickers,) each: mom, beta, vol, rev (, size)
    ticker_rms: np.ndarray  # (tickers,) stdev (not demeaned) of the last 252 returns to d
    baskets: BasketState  # today's basket and factor selection (factors.py)
    themes: ThemeState  # weights, momentum, crowding, member columns (themes.py)
    internals: InternalsState  # dispersion history, the days before T (internals.py)
    letf: LetfState  # funds and the flow history (letf.py)
    events: EventState  # the -3 sigma momentum days (events.py)
    series: SeriesState  # every basket, factor and theme series, digested (moves.py)
    lens: HistoryLens  # the daily feature history and the regime at d (history_lens.py)
    attribution: AttributionBasis | None = None  # names, sectors, theme columns (attribution.py)
    # the tick's memo of the quotes' ticker -> panel column lookup (live.py)
    quote_columns: QuoteColumns = field(default_factory=QuoteColumns)

    @property
    def last_date(self) -> date:
        return self.panel.date_at(len(self.panel.dates) - 1)


def prepare(history: pl.DataFrame, config: Config, universe: pl.DataFrame | None = None) -> Model:
    """Everything that depends only on the history (its last date is the previous close d)."""
    # each big intermediate is freed as soon as it is used: peak RSS, and fresh pages are
    # slow to fault in (~20 ms per 60 MB matrix here, far more when the kernel compacts).
    # Families that do not need each other run side by side on a worker per core (numpy's
    # sorts and array arithmetic release the GIL). BLAS (the theme matmuls) runs
    # single-threaded meanwhile: OpenBLAS's idle threads spin on the cores the other
    # families need (1.84 instead of 3.48 s at 3,000 names, 2 cores).
    with (
        threadpool_limits(limits=1, user_api="blas"),
        shared_pool() as pool,
    ):
        panel, rows = build_panel(history, config, universe, pool)
        d = len(panel.dates) - 1
        index_returns = (
            panel.returns[:, panel.benchmark]
            if panel.benchmark is not None
            else np.full(d + 1, np.nan)
        )
        # everything runs on the pool, a worker per core, in this order: the signals (beta,
        # the slowest, right after mom and rev), the internals, the basket pass's first half
        # (BasketPass: all but beta's), the theme paths; once beta is done, crowding's
        # comovements and the basket pass's second half
        first = own_row_signals(panel, rows, pool)
        del rows  # freed (peak RSS) once mom and rev are done
        moments = running_moments(panel.returns)
        beta_job = pool.submit(beta_signal, panel, moments)
        first.update(window_signals(panel, moments, pool))
        eligible = panel.member[None, :] & moments.valid
        letf = LetfState.of(config.letfs, panel)
        # the long single jobs first: the basket pass's small blocks then fill the end
        internals_job = InternalsState.of(panel, index_returns, moments, letf.history, pool)
        basket_pass = BasketPass(panel, first, eligible, config, pool)
        paths_job = pool.submit(
            lambda mom: ThemePaths.of(config.themes, panel, mom.result()), first["mom"]
        )
        beta = beta_job.result()
        del moments  # freed once vol and the internals are done: the basket pass is the peak
        comovements = pool.submit(theme_comovements, config.themes, panel, beta, index_returns)
        factors = basket_pass.with_beta(beta).result()
        signals = {name: job.result() for name, job in first.items()}
        signals["beta"] = beta
        del first, basket_pass
        series = factors.series
        internals = internals_job.result()
        theme_series, themes = theme_history(
            config.themes, panel, paths_job.result(), comovements.result(),
            series["momentum_pair"],
        )  # fmt: skip
    series.update(theme_series)
    digests = SeriesState.of(panel.dates, series)
    lens = build_lens(
        panel, digests, eligible, factors.reversal, internals.dispersion, config.settings
    )
    del eligible
    ticker_rms = trailing_rms(panel.returns)
    return Model(
        config=config,
        panel=panel,
        # copies: a view of row d would keep every full signal matrix alive in the Model
        signals_at_d={name: matrix[d].copy() for name, matrix in signals.items()},
        ticker_rms=ticker_rms,
        baskets=BasketState.of(config, panel),
        themes=themes,
        internals=internals,
        letf=letf,
        events=EventState.of(
            series["momentum_pair"], digests.grid_sigma("momentum_pair"), panel.dates
        ),
        series=digests,
        lens=lens,
        attribution=attribution_basis(panel.tickers, universe, themes.matrix),
    )


def close_snapshot(
    history: pl.DataFrame,
    config: Config,
    universe: pl.DataFrame | None = None,
    as_of: date | None = None,
    source: str = "files",
    simulated: bool = False,
    user_series: SeriesBook | None = None,
) -> Snapshot:
    """Close mode: the last history date (<= as_of) is T, the day before it is d."""
    if as_of is not None:
        history = history.filter(pl.col("date") <= as_of)
    history = history.filter(pl.col("close").is_not_null() & (pl.col("close") > 0))
    dates = history.get_column("date").unique().sort()
    if len(dates) < 2:
        raise ValueError(
            f"the history has {len(dates)} trading day(s)"
            + (f" up to {as_of}" if as_of is not None else "")
            + "; at least two are needed (check the prices file"
            + (" and --as-of)" if as_of is not None else ")")
        )
    today = dates[-1]
    model = prepare(history.filter(pl.col("date") < today), config, universe)
    quotes = history.filter(pl.col("date") == today).select(
        "ticker",
        last=pl.col("close"),
        ts=pl.lit(today).cast(pl.Datetime("us")).dt.replace_time_zone(NEW_YORK_NAME)
        .dt.offset_by(SESSION_CLOSE_OFFSET).dt.convert_time_zone("UTC"),
    )  # fmt: skip
    return live(
        model, quotes, source=source, simulated=simulated, mode="close", user_series=user_series
    )
