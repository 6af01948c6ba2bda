"""The History lens (DESIGN.md): the daily feature history, analog days and the momentum regime."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date

import numpy as np

from crowdwatch.analytics.events import grid_sigma
from crowdwatch.analytics.moves import SeriesState, finite, trailing_rms
from crowdwatch.analytics.panel import Panel
from crowdwatch.analytics.windows import row_blocks
from crowdwatch.config.schema import Settings

FEATURES = (
    "pair_sigma",
    "winners_sigma",
    "short_sigma",
    "index_sigma",
    "breadth",
    "dispersion",
    "reversal_corr",
)
REGIME_KEYS = (
    "index_24m",
    "bear_market",
    "momentum_vol",
    "momentum_vol_percentile",
    "scaled_exposure",
    "regime",
)
ANALOG_SPACING, ANALOG_COUNT = 21, 5
PATH_DAYS = 21  # the analog screen's chart: the pair over the days after each analog day
HORIZONS = (5, 21, 63)
FORWARD = ("pair_fwd_5d", "pair_fwd_21d", "pair_fwd_63d",
           "index_fwd_5d", "index_fwd_21d", "index_fwd_63d")  # fmt: skip
INDEX_LOOKBACK = 504  # index_24m: close(I,d) / close(I,d-504), own rows
VOL_WINDOW, TRADING_DAYS = 126, 252
HIGH_VOL_PERCENTILE = 0.8
LENS_BASKETS = ("momentum_pair", "winners", "short_momentum")  # features 0-2: their sigmas


@dataclass(frozen=True, slots=True)
class Features:
    """One day's point in the feature space, each value as it stood at that day's close."""

    pair_sigma: float | None = None
    winners_sigma: float | None = None
    short_sigma: float | None = None
    index_sigma: float | None = None
    breadth: float | None = None
    dispersion: float | None = None  # ln(dispersion_ratio)
    reversal_corr: float | None = None

    def vector(self) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in self.values()], dtype=float)

    def values(self) -> tuple[float | None, ...]:
        return tuple(getattr(self, name) for name in FEATURES)

    @classmethod
    def of(cls, row: np.ndarray) -> Features:
        return cls(*(finite(v) for v in row))


@dataclass(frozen=True, slots=True)
class Analog:
    """A past day like T, and what the pair and the index did after it."""

    date: date
    distance: float
    features: Features
    pair_fwd_5d: float | None = None
    pair_fwd_21d: float | None = None
    pair_fwd_63d: float | None = None
    index_fwd_5d: float | None = None
    index_fwd_21d: float | None = None
    index_fwd_63d: float | None = None


@dataclass(frozen=True, slots=True)
class Regime:
    """The momentum regime going into T, read at d = T-1."""

    index_24m: float | None = None
    bear_market: bool | None = None
    momentum_vol: float | None = None
    momentum_vol_percentile: float | None = None
    scaled_exposure: float | None = None
    regime: str | None = None  # "panic" | "bear" | "high-vol" | "calm"


@dataclass(frozen=True, slots=True)
class HistoryLens:
    """The lens's history part, built once by prepare(): a tick only adds T's point."""

    dates: np.ndarray  # the grid up to d
    features: np.ndarray  # (days, 7), NaN where unknown
    cloud: FeatureCloud  # the days that have all seven
    index_returns: np.ndarray  # r(I) on the grid
    index_rms: float | None  # the rms behind index_sigma on T
    regime: Regime

    def today(self, pair, winners, short, index_return, breadth, ratio, reversal) -> Features:
        """T's point from the Snapshot's own numbers (sigmas of the three baskets, internals)."""
        have = index_return is not None and self.index_rms
        index_sigma = index_return / self.index_rms if have else None
        dispersion = math.log(ratio) if ratio is not None and ratio > 0 else None
        return Features(pair, winners, short, finite(index_sigma), breadth, dispersion, reversal)

    def at_today(self, baskets: dict, internals, pair: np.ndarray):
        """T's features and analog days from a tick's basket stats and internals; `pair` is
        the grid's momentum_pair with T's value appended. O(history days), no matrices."""
        today = self.today(
            baskets["momentum_pair"].sigma,
            baskets["winners"].sigma,
            baskets["short_momentum"].sigma,
            internals.index_ret,
            internals.breadth,
            internals.dispersion_ratio,
            internals.reversal_corr,
        )
        return today, self.analogs(today, pair, internals.index_ret)

    def analogs(
        self, today: Features, pair: np.ndarray, index_today: float | None
    ) -> tuple[Analog, ...] | None:
        """The 5 analog days of T; `pair` is the grid's momentum_pair with T's value appended."""
        point = today.vector()
        if np.isnan(point).any():
            return None
        index = np.append(self.index_returns, np.nan if index_today is None else index_today)
        return nearest_days(self.dates, self.cloud, point, len(self.features), pair, index)

    def paths(
        self, analogs: tuple[Analog, ...] | None, pair: np.ndarray
    ) -> tuple[tuple[float, ...], ...]:
        """Each analog's pair path (analog_path); `pair` is the grid's with T's value appended."""
        return tuple(analog_path(self.dates, a.date, pair) for a in analogs or ())


def analog_path(dates: np.ndarray, day: date, pair: np.ndarray) -> tuple[float, ...]:
    """The pair compounded from the close before `day`: after the day itself (the day like
    T), then after each of the next 21 trading days; it stops before the first day without
    a value, and at T (`pair` may run one value past `dates`)."""
    row = int(np.searchsorted(dates, np.datetime64(day, "D")))
    window = pair[row : row + 1 + PATH_DAYS]
    gaps = np.flatnonzero(np.isnan(window))
    complete = int(gaps[0]) if len(gaps) else len(window)
    return tuple(float(v) for v in np.cumprod(1.0 + window[:complete]) - 1.0)


@dataclass(frozen=True, slots=True)
class FeatureCloud:
    """The days that have all seven features, with their mean and centred sum of squares
    digested once, so adding T's point to the standardisation is O(features)."""

    rows: np.ndarray  # ascending
    points: np.ndarray  # (rows, 7)
    columns: np.ndarray  # (7, rows): the same, a contiguous vector per feature
    mean: np.ndarray
    squares: np.ndarray  # sum of (x - mean)^2 per feature

    @classmethod
    def of(cls, features: np.ndarray) -> FeatureCloud:
        rows = np.flatnonzero(~np.isnan(features).any(axis=1))
        points = features[rows]
        mean = points.mean(axis=0) if len(points) else np.zeros(features.shape[1])
        squares = ((points - mean) ** 2).sum(axis=0)
        return cls(rows, points, np.ascontiguousarray(points.T), mean, squares)

    def scale_with(self, today: np.ndarray) -> np.ndarray:
        """stdev (ddof=1) of every feature over these days and T (Chan et al.'s update)."""
        count = len(self.rows) + 1
        if count < 2:
            return np.full(len(today), np.nan)
        delta = today - self.mean
        squares = self.squares + delta * delta * (count - 1) / count
        return np.sqrt(squares / (count - 1))


def find_analogs(
    dates: np.ndarray, features: np.ndarray, today: np.ndarray, pair: np.ndarray, index: np.ndarray
) -> tuple[Analog, ...] | None:
    """DESIGN.md analog days of T (the row after `features`); `pair`/`index` include T."""
    if np.isnan(today).any():
        return None
    return nearest_days(dates, FeatureCloud.of(features), today, len(features), pair, index)


def nearest_days(
    dates: np.ndarray,
    cloud: FeatureCloud,
    today: np.ndarray,
    t_row: int,
    pair: np.ndarray,
    index: np.ndarray,
) -> tuple[Analog, ...]:
    """The analog search over the complete days and T (at row t_row, with all seven)."""
    scale = cloud.scale_with(today)
    usable = np.isfinite(scale) & (scale > 0)  # a feature that never varies separates nothing
    rows = cloud.rows
    candidates = int(np.searchsorted(rows, t_row - ANALOG_SPACING, side="right"))
    # |z(t) - z(T)| needs no mean: the standardised difference is (x(t) - x(T)) / stdev
    squared = np.zeros(candidates)
    for feature in np.flatnonzero(usable):
        gap = cloud.columns[feature, :candidates] - today[feature]
        gap /= scale[feature]
        gap *= gap
        squared += gap
    distance = np.sqrt(squared)
    kept: list[tuple[int, int]] = []  # (position among the candidates, row)
    for k in np.argsort(distance, kind="stable"):  # ties: the earlier date first
        row = int(rows[k])  # the loop stops early: no list of all ~2,500 candidates
        if all(abs(row - other) >= ANALOG_SPACING for _, other in kept):
            kept.append((int(k), row))
            if len(kept) == ANALOG_COUNT:
                break
    return tuple(
        analog(dates, row, float(distance[k]), cloud.points[k], pair, index) for k, row in kept
    )


def forwards(series: np.ndarray, row: int) -> list[float | None]:
    """The series compounded over the 5 / 21 / 63 values after `row` (None unless all there)."""
    window = series[row + 1 : row + 1 + HORIZONS[-1]]
    gaps = np.flatnonzero(np.isnan(window))
    complete = int(gaps[0]) if len(gaps) else len(window)  # values before the first gap
    growth = np.cumprod(1.0 + window[:complete])
    return [float(growth[h - 1] - 1.0) if h <= complete else None for h in HORIZONS]


def analog(dates, row: int, distance: float, point, pair, index) -> Analog:
    return Analog(dates[row].astype(date), distance, Features.of(point),
                  *forwards(pair, row), *forwards(index, row))  # fmt: skip


def forward_medians(analogs: tuple[Analog, ...]) -> dict[str, float | None]:
    """The median of each forward return over the analogs that have it (None if none do)."""
    medians: dict[str, float | None] = {}
    for key in FORWARD:
        values = [getattr(a, key) for a in analogs if getattr(a, key) is not None]
        medians[key] = statistics.median(values) if values else None
    return medians


def daily_breadth(returns: np.ndarray, index_returns: np.ndarray, eligible: np.ndarray):
    """Per row: the share of eligible members beating the index (NaN without either)."""
    count = eligible.sum(axis=1)
    beats = np.zeros(len(returns))
    for start, stop in row_blocks(*returns.shape):
        above = returns[start:stop] > index_returns[start:stop, None]
        beats[start:stop] = (above & eligible[start:stop]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((count > 0) & ~np.isnan(index_returns), beats / count, np.nan)


def feature_history(
    sigmas: dict[str, np.ndarray],
    index_returns: np.ndarray,
    returns: np.ndarray,
    eligible: np.ndarray,
    reversal: np.ndarray,
    dispersion: np.ndarray,
) -> np.ndarray:
    """(days, 7): every day's features, computed once over the whole history; `sigmas`
    are the three baskets' grid sigmas (SeriesState.grid_sigma), `reversal` is
    BasketPass' (the basket pass ranks momentum once for both)."""
    days = len(returns)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_dispersion = np.where(dispersion > 0, np.log(dispersion), np.nan)
    features = np.full((days, len(FEATURES)), np.nan)
    features[:, 0] = sigmas["momentum_pair"]
    features[:, 1] = sigmas["winners"]
    features[:, 2] = sigmas["short_momentum"]
    features[:, 3] = grid_sigma(index_returns)
    features[:, 4] = daily_breadth(returns, index_returns, eligible)
    features[:, 5] = log_dispersion
    features[:, 6] = reversal
    return features


def momentum_vol_history(pair: np.ndarray) -> np.ndarray:
    """momentum_vol of every grid day: the annualised stdev (ddof=1) of the pair's last 126
    values (non-null, dated up to that day); NaN with fewer."""
    have = np.flatnonzero(~np.isnan(pair))
    out = np.full(len(pair), np.nan)
    if len(have) < VOL_WINDOW:
        return out
    windows = np.lib.stride_tricks.sliding_window_view(pair[have], VOL_WINDOW)
    vols = windows.std(axis=1, ddof=1) * math.sqrt(TRADING_DAYS)
    latest = np.searchsorted(have, np.arange(len(pair)), side="right") - 1  # last value <= t
    ready = latest >= VOL_WINDOW - 1
    out[ready] = vols[latest[ready] - (VOL_WINDOW - 1)]
    return out


def index_24m(index_closes: np.ndarray) -> float | None:
    """close(I,d)/close(I,d-504) - 1 over the index's own closes up to d (the last row)."""
    if len(index_closes) == 0 or np.isnan(index_closes[-1]):
        return None
    own = index_closes[~np.isnan(index_closes)]
    if len(own) < INDEX_LOOKBACK + 1:
        return None
    return finite(own[-1] / own[-1 - INDEX_LOOKBACK] - 1.0)


def regime_label(bear_market: bool | None, percentile: float | None) -> str | None:
    if bear_market is None or percentile is None:
        return None
    high_vol = percentile >= HIGH_VOL_PERCENTILE
    if bear_market:
        return "panic" if high_vol else "bear"
    return "high-vol" if high_vol else "calm"


def regime_at_d(index_closes: np.ndarray, pair: np.ndarray, target: float) -> Regime:
    """The regime at d, the last row of `index_closes` and `pair` (grid-aligned)."""
    change = index_24m(index_closes)
    bear = None if change is None else change < 0
    vols = momentum_vol_history(pair)
    vol = finite(vols[-1]) if len(vols) else None
    earlier = vols[:-1][~np.isnan(vols[:-1])]
    percentile = float(np.mean(earlier <= vol)) if vol is not None and len(earlier) else None
    return Regime(
        index_24m=change,
        bear_market=bear,
        momentum_vol=vol,
        momentum_vol_percentile=percentile,
        scaled_exposure=finite(target / vol) if vol else None,
        regime=regime_label(bear, percentile),
    )


def build_lens(
    panel: Panel,
    series: SeriesState,
    eligible: np.ndarray,
    reversal: np.ndarray,
    dispersion: np.ndarray,
    settings: Settings,
) -> HistoryLens:
    """The lens's history part, from what prepare() has already computed (`reversal`:
    FactorHistory.reversal)."""
    bench = panel.benchmark
    missing = np.full(len(panel.dates), np.nan)
    index_returns = panel.returns[:, bench].copy() if bench is not None else missing
    index_closes = panel.close[:, bench] if bench is not None else missing
    sigmas = {name: series.grid_sigma(name) for name in LENS_BASKETS}
    features = feature_history(sigmas, index_returns, panel.returns, eligible, reversal, dispersion)
    pair = series.values["momentum_pair"]
    return HistoryLens(
        dates=panel.dates,
        features=features,
        cloud=FeatureCloud.of(features),
        index_returns=index_returns,
        index_rms=trailing_rms(index_returns[~np.isnan(index_returns)]),
        regime=regime_at_d(index_closes, pair, settings.momentum_vol_target),
    )
