"""The demo market simulator: a factor model of daily stock returns, built in numpy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from crowdwatch.config.calendar import MONTH, YEAR
from crowdwatch.feeds import demo_indexes as indexes
from crowdwatch.feeds import demo_spec as spec
from crowdwatch.feeds.demo_calendar import trading_days

BUNDLED_THEMES = Path(__file__).resolve().parent.parent / "config" / "defaults" / "themes.yaml"
UNIVERSE_CSV = Path(__file__).resolve().parent / "data" / "universe.csv"


@dataclass(frozen=True, slots=True)
class DemoMarket:
    """Everything the demo feed serves, as arrays (rows = trading days)."""

    dates: np.ndarray  # datetime64[D], (D,)
    tickers: tuple[str, ...]  # stocks, sorted
    closes: np.ndarray  # (D, N), NaN where a stock does not trade
    caps: np.ndarray  # (D, N)
    etf_tickers: tuple[str, ...]  # benchmark and index ETFs
    etf_closes: np.ndarray  # (D, E)
    session_returns: np.ndarray  # (N,) close-to-close return of the replayed day
    idio_vol: np.ndarray  # (N,) daily idiosyncratic vol, for the intraday path
    etf_weights: np.ndarray  # (E, N) weights of each ETF in the stocks on the replayed day


def load_universe() -> pl.DataFrame:
    """The bundled universe.csv (ticker, name, sector, market_cap), sorted by ticker."""
    return pl.read_csv(UNIVERSE_CSV, schema_overrides={"market_cap": pl.Float64}).sort("ticker")


def load_theme_lists() -> dict[str, tuple[list[str], dict[str, float]]]:
    """Members and weights of the bundled themes: the demo's story does not follow user edits."""
    raw = yaml.safe_load(BUNDLED_THEMES.read_text(encoding="utf-8"))
    return {t["name"]: (list(t["tickers"]), dict(t.get("weights") or {})) for t in raw["themes"]}


def student_t(rng: np.random.Generator, shape: tuple[int, ...], df: float = 5.0) -> np.ndarray:
    """Unit-variance fat-tailed noise."""
    return rng.standard_t(df, size=shape) / np.sqrt(df / (df - 2.0))


def day_index(dates: np.ndarray, day: str) -> int:
    return int(np.searchsorted(dates, np.datetime64(day)))


def growth(returns: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Cumulative growth per stock, NaN where the stock does not trade."""
    g = np.cumprod(1.0 + np.where(valid, returns, 0.0), axis=0)
    return np.where(valid, g, np.nan)


def centred_rank(values: np.ndarray) -> np.ndarray:
    """Rank in [-0.5, 0.5] over the finite values (ties by position), NaN elsewhere."""
    out = np.full(values.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(values))
    if ok.size > 1:
        order = ok[np.argsort(values[ok], kind="stable")]
        out[order] = np.arange(ok.size) / (ok.size - 1) - 0.5
    return out


def momentum_at(g: np.ndarray, row: int) -> np.ndarray:
    """12-1 momentum at `row` (shorter lookback early in the sample, for the 2021 shocks)."""
    lookback = min(YEAR, row)
    return g[row - MONTH] / g[row - lookback] - 1.0


def momentum_ranks(g: np.ndarray) -> np.ndarray:
    """Centred 12-1 momentum rank of every stock on every day (NaN without 253 closes)."""
    mom = np.full(g.shape, np.nan)
    mom[YEAR:] = g[YEAR - MONTH : -MONTH] / g[:-YEAR] - 1.0
    finite = np.isfinite(mom)
    count = finite.sum(axis=1, keepdims=True)
    rank = np.argsort(np.argsort(np.where(finite, mom, -np.inf), axis=1, kind="stable"), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = (rank - (g.shape[1] - count)) / (count - 1) - 0.5
    return np.where(finite & (count > 1), centred, np.nan)


def index_returns(returns: np.ndarray, caps: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Cap-weighted return per day with weights at the previous close."""
    prev_caps = np.vstack([np.full((1, caps.shape[1]), np.nan), caps[:-1]])
    both = valid & np.isfinite(prev_caps)
    w = np.where(both, prev_caps, 0.0)
    total = w.sum(axis=1)
    out = np.zeros(returns.shape[0])
    ok = total > 0
    out[ok] = (w[ok] * np.where(both, returns, 0.0)[ok]).sum(axis=1) / total[ok]
    return out


def capped_weights(caps: np.ndarray, member: np.ndarray, cap: float) -> np.ndarray:
    w = np.where(member, caps, 0.0)
    for _ in range(6):  # a few passes of capping and renormalising converge
        w = w / w.sum()
        w = np.minimum(w, cap)
    return w / w.sum()


@dataclass(frozen=True, slots=True)
class Structure:
    """The cross-section: theme membership, sector, beta and idiosyncratic vol per stock."""

    primary: np.ndarray  # (N,) index of the stock's first theme in spec.THEMES, -1 if none
    loading: np.ndarray  # (N, K) loading on each theme factor
    sector_of: np.ndarray  # (N,) index into the sorted sector names
    beta: np.ndarray  # (N,)
    idio: np.ndarray  # (N,) daily idiosyncratic vol
    build_theme_vol: np.ndarray  # (K,) theme factor vol multiplier once the crowd has built
    build_idio: np.ndarray  # (N,) idiosyncratic vol multiplier once the crowd has built
    build_momentum: np.ndarray  # (N,) extra momentum-factor exposure once the crowd has built


class Simulator:
    """Builds the demo market from the universe and the bundled themes."""

    def __init__(self, benchmark: str = "SPY") -> None:
        self.benchmark = benchmark
        self.universe = load_universe()
        self.themes = load_theme_lists()
        self.tickers = tuple(self.universe["ticker"].to_list())
        self.column = {t: i for i, t in enumerate(self.tickers)}
        self.sectors = self.universe["sector"].to_numpy()
        self.cap_now = self.universe["market_cap"].to_numpy().astype(float)
        self.dates = trading_days()
        self.rng = np.random.default_rng(spec.SEED)

    def members(self, names: Iterable[str]) -> np.ndarray:
        mask = np.zeros(len(self.tickers), dtype=bool)
        mask[[self.column[t] for t in names if t in self.column]] = True
        return mask

    def build(self) -> DemoMarket:
        rng = self.rng
        year = self.dates.astype("datetime64[Y]").astype(int) + 1970 - spec.YEARS[0]
        regime = np.array(spec.MARKET_VOL)[year]
        pinned = np.array([day_index(self.dates, d) for d in spec.PINNED_INDEX])
        structure = self.structure(rng)
        returns = self.factor_returns(rng, structure, year, regime, pinned)
        valid = self.listing_mask()
        returns[0] = 0.0
        # the first close of a late lister has no return
        returns[np.argmax(valid, axis=0), np.arange(len(self.tickers))] = 0.0
        self.add_momentum(rng, returns, valid, pinned, structure)
        g, caps, spy = self.pin_index(returns, valid, pinned)

        last_row = len(self.dates) - 1 - np.argmax(valid[::-1], axis=0)
        anchor = np.exp(rng.uniform(np.log(18.0), np.log(420.0), len(self.tickers)))
        for t, price in indexes.LAST_CLOSES.items():
            if t in self.column:
                anchor[self.column[t]] = price
        closes = anchor * g / g[last_row, np.arange(len(self.tickers))]

        session = self.session_returns(g, caps[-1], structure, valid[-1])
        etf_names, weights = self.etf_weights(caps[-1])
        etf_returns = np.zeros((len(self.dates), len(etf_names)))
        for e, name in enumerate(etf_names):
            if name == self.benchmark:
                etf_returns[:, e] = spy
                continue
            w = np.where(valid, weights[e], 0.0)
            etf_returns[:, e] = (w * np.where(valid, returns, 0.0)).sum(axis=1) / w.sum(axis=1)
        etf_returns[0] = 0.0
        start = np.array([indexes.ETF_START.get(t, indexes.ETF_START["SPY"]) for t in etf_names])
        return DemoMarket(
            dates=self.dates,
            tickers=self.tickers,
            closes=np.where(valid, closes, np.nan),
            caps=np.where(valid, caps, np.nan),
            etf_tickers=tuple(etf_names),
            etf_closes=start * np.cumprod(1.0 + etf_returns, axis=0),
            session_returns=session,
            idio_vol=structure.idio,
            etf_weights=weights,
        )

    def structure(self, rng: np.random.Generator) -> Structure:
        """Who belongs to which theme and sector, with each stock's beta and idiosyncratic vol."""
        n = len(self.tickers)
        theme_names = list(spec.THEMES)
        loading = np.zeros((n, len(theme_names)))
        primary = np.full(n, -1)
        for k, name in enumerate(theme_names):
            for t in self.themes.get(name, ([], {}))[0]:
                i = self.column.get(t)
                if i is None:
                    continue
                if primary[i] < 0:
                    primary[i], loading[i, k] = k, 1.0
                else:
                    loading[i, k] = spec.SECONDARY_THEME_LOADING
        sector_names = sorted(spec.SECTOR_VOL)
        size_tilt = (self.cap_now / 5e10) ** -0.1
        beta = np.array([spec.SECTOR_BETA[s] for s in self.sectors])
        idio = np.array([spec.SECTOR_IDIO_VOL[s] for s in self.sectors]) * size_tilt
        for k, name in enumerate(theme_names):
            beta[primary == k] = spec.THEMES[name]["beta"]
            idio[primary == k] = spec.THEMES[name]["idio"]
        build = [spec.CROWD_BUILD.get(name, {}) for name in theme_names]
        build_idio = np.ones(n)
        for k, b in enumerate(build):
            build_idio[primary == k] = b.get("idio", 1.0)
        return Structure(
            primary=primary,
            loading=loading,
            sector_of=np.array([sector_names.index(s) for s in self.sectors]),
            beta=beta * np.exp(rng.normal(0.0, 0.12, n)),
            idio=idio * np.exp(rng.normal(0.0, 0.15, n)) * spec.IDIO_VOL_SCALE,
            build_theme_vol=np.array([b.get("theme_vol", 1.0) for b in build]),
            build_idio=build_idio,
            build_momentum=loading @ np.array([b.get("momentum", 0.0) for b in build]),
        )

    def crowd_ramp(self) -> np.ndarray:
        """(D,) 0 before CROWD_BUILD_FROM, rising linearly to 1 at CROWD_BUILD_FULL, then 1."""
        start = day_index(self.dates, spec.CROWD_BUILD_FROM)
        full = day_index(self.dates, spec.CROWD_BUILD_FULL)
        rows = np.arange(len(self.dates), dtype=float)
        return np.clip((rows - start) / max(full - start, 1), 0.0, 1.0)

    def factor_returns(
        self,
        rng: np.random.Generator,
        s: Structure,
        year: np.ndarray,
        regime: np.ndarray,
        pinned: np.ndarray,
    ) -> np.ndarray:
        """Daily returns (days x stocks): market, sector and theme factors, drift and noise."""
        n_days, n = len(self.dates), len(self.tickers)
        market = spec.MARKET_DAILY_VOL * regime * student_t(rng, (n_days,), df=6.0)
        market += np.array(spec.MARKET_DRIFT)[year] / 252
        for day, move in spec.MARKET_SHOCKS.items():
            market[day_index(self.dates, day)] += move

        sector_names = sorted(spec.SECTOR_VOL)
        sector_vol = np.array([spec.SECTOR_VOL[name] for name in sector_names])
        sector_drift = np.array(
            [spec.SECTOR_DRIFT.get(name, (0.0,) * len(spec.YEARS)) for name in sector_names]
        ).T  # (years, sectors)
        sectors = student_t(rng, (n_days, len(sector_names))) * sector_vol
        sectors = sectors * regime[:, None] + sector_drift[year] / 252

        theme_names = list(spec.THEMES)
        theme_vol = np.array([spec.THEMES[t]["vol"] for t in theme_names])
        theme_drift = np.array([spec.THEMES[t]["drift"] for t in theme_names]).T
        ramp = self.crowd_ramp()[:, None]
        themes = student_t(rng, (n_days, len(theme_names))) * theme_vol * regime[:, None]
        themes *= 1.0 + ramp * (s.build_theme_vol - 1.0)
        themes += theme_drift[year] / 252
        for day, moves in spec.THEME_SHOCKS.items():
            for name, move in moves.items():
                themes[day_index(self.dates, day), theme_names.index(name)] += move

        drift = np.zeros((len(spec.YEARS), n))
        drift[0] = rng.normal(0.0, spec.IDIO_DRIFT_SD, n)
        rho = spec.IDIO_DRIFT_PERSISTENCE
        for y in range(1, len(spec.YEARS)):
            fresh = rng.normal(0.0, spec.IDIO_DRIFT_SD * np.sqrt(1 - rho**2), n)
            drift[y] = rho * drift[y - 1] + fresh
        drift[:, (s.primary < 0) & (self.cap_now >= spec.MEGA_CAP)] = 0.0
        # idiosyncratic risk rises and falls with the market's, so dispersion is comparable
        noise = student_t(rng, (n_days, n), df=4.0) * s.idio * regime[:, None]
        noise *= 1.0 + ramp * (s.build_idio - 1.0)
        # short-term reversal: part of last month's idiosyncratic move gives itself back
        past = np.cumsum(noise, axis=0)
        noise[22:] -= spec.SHORT_TERM_REVERSAL * (past[21:-1] - past[:-22]) / 21

        non_market = sectors[:, s.sector_of] + themes @ s.loading.T + drift[year] / 252 + noise
        calm = pinned[pinned >= day_index(self.dates, spec.PINNED_CALM_FROM)]
        non_market[calm] *= spec.PINNED_DISPERSION_SCALE
        return market[:, None] * s.beta + non_market

    def listing_mask(self) -> np.ndarray:
        """True where a stock trades (late listings and delistings switch it off)."""
        valid = np.ones((len(self.dates), len(self.tickers)), dtype=bool)
        for t, day in spec.LISTINGS.items():
            valid[: day_index(self.dates, day), self.column[t]] = False
        for t, day in spec.DELISTINGS.items():
            valid[day_index(self.dates, day) + 1 :, self.column[t]] = False
        return valid

    def add_momentum(
        self,
        rng: np.random.Generator,
        returns: np.ndarray,
        valid: np.ndarray,
        pinned: np.ndarray,
        s: Structure,
    ) -> None:
        """The momentum factor's daily pay-off, then the crash days (in place)."""
        factor = rng.normal(spec.MOMENTUM_FACTOR_DRIFT, spec.MOMENTUM_FACTOR_VOL, len(self.dates))
        factor[: day_index(self.dates, spec.MOMENTUM_FACTOR_FROM)] = 0.0
        factor[pinned] = 0.0
        ranks = momentum_ranks(growth(returns, valid))
        returns[1:] += np.nan_to_num(factor[1:, None] * ranks[:-1])
        # the crowd piles in: the crowded themes' members ride the momentum factor harder
        returns += factor[:, None] * self.crowd_ramp()[:, None] * s.build_momentum
        for day, size in spec.MOMENTUM_CRASHES.items():
            row = day_index(self.dates, day)
            rank = centred_rank(momentum_at(growth(returns, valid), row - 1))
            # top and bottom quintiles sit near +-0.4 in rank: size / 0.8 gives a pair of ~size
            returns[row] += np.nan_to_num(size / 0.8 * rank)

    def pin_index(
        self, returns: np.ndarray, valid: np.ndarray, pinned: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shift every stock on the pinned days so the benchmark prints its scripted return.

        Returns growth, market caps (anchored on universe.csv at each stock's last close)
        and the benchmark's daily returns.
        """
        n = len(self.tickers)
        last_row = len(self.dates) - 1 - np.argmax(valid[::-1], axis=0)
        for _ in range(2):  # pinning moves every cap a little; a second pass settles it
            g = growth(returns, valid)
            caps = self.cap_now * g / g[last_row, np.arange(n)]
            spy = index_returns(returns, caps, valid)
            for row, target in zip(pinned, spec.PINNED_INDEX.values(), strict=True):
                returns[row] += target - spy[row]
        g = growth(returns, valid)
        caps = self.cap_now * g / g[last_row, np.arange(n)]
        return g, caps, index_returns(returns, caps, valid)

    def etf_weights(self, caps_now: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Weights of each index ETF in the stocks (the benchmark: caps at the last close)."""
        caps_now = np.nan_to_num(caps_now)
        rows: dict[str, np.ndarray] = {self.benchmark: caps_now / caps_now.sum()}
        rows["QQQ"] = capped_weights(
            caps_now, self.members(indexes.NASDAQ_100), indexes.ETF_WEIGHT_CAP["QQQ"]
        )
        rows["SOXX"] = capped_weights(
            caps_now, self.members(indexes.SEMICONDUCTORS), indexes.ETF_WEIGHT_CAP["SOXX"]
        )
        for etf, sector in indexes.SECTOR_ETFS.items():
            rows[etf] = capped_weights(
                caps_now, self.sectors == sector, indexes.SECTOR_ETF_WEIGHT_CAP
            )
        small = np.zeros(len(self.tickers), dtype=bool)
        small[np.argsort(self.cap_now, kind="stable")[: indexes.SMALL_CAP_COUNT]] = True
        for etf, member in (
            ("IWM", small),
            ("XBI", self.members(indexes.BIOTECH)),
            ("DIA", self.members(indexes.DOW_30)),
        ):
            rows[etf] = member / member.sum()
        names = sorted(rows)
        return names, np.vstack([rows[t] for t in names])

    def session_returns(
        self,
        g: np.ndarray,
        caps_prev: np.ndarray,
        structure: Structure,
        trading: np.ndarray,
    ) -> np.ndarray:
        """Close-to-close returns of 2026-02-04 for every stock (NaN if it no longer trades)."""
        n, primary = len(self.tickers), structure.primary
        rng = np.random.default_rng(spec.SEED + 1)
        noise = rng.standard_normal(n) * structure.idio * spec.SESSION_NOISE
        rank = np.nan_to_num(centred_rank(momentum_at(g, g.shape[0] - 1)))
        sector_move = np.array([spec.SESSION_SECTORS[s] for s in self.sectors])
        # the long side carries the unwind: past winners fall harder than losers rally
        tilt = np.where(rank > 0, rank, spec.SESSION_LOSER_SHARE * rank)
        r = sector_move - spec.SESSION_MOMENTUM_LOADING * tilt + noise
        fixed = np.zeros(n, dtype=bool)
        for t, move in spec.SESSION_NAMES.items():
            r[self.column[t]], fixed[self.column[t]] = move, True
        themed = primary >= 0
        theme_names = list(spec.THEMES)
        theme_w = {}
        for k, name in enumerate(theme_names):
            tickers, weights = self.themes[name]
            w = np.zeros(n)
            for t in tickers:
                if t in self.column:
                    w[self.column[t]] = weights.get(t, 1.0)
            theme_w[name] = w * trading
            own = (primary == k) & ~fixed
            r[own] = spec.SESSION_THEMES[name] + noise[own]
        for _ in range(30):  # overlapping themes: Gauss-Seidel until every theme hits target
            for k, name in enumerate(theme_names):
                w = theme_w[name]
                own = (primary == k) & ~fixed & trading
                gap = spec.SESSION_THEMES[name] - (w * r).sum() / w.sum()
                if (w * own).sum() > 0:
                    r[own] += gap * w.sum() / (w * own).sum()
        weights = np.where(trading, np.nan_to_num(caps_prev), 0.0)
        weights = weights / weights.sum()
        free = ~themed & ~fixed & trading
        shift = (spec.SESSION_INDEX_RETURN - (weights * r).sum()) / weights[free].sum()
        r[free] += shift
        return np.where(trading, r, np.nan)
