"""Typed configuration: the four YAML files of DESIGN.md as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

SIGNALS = ("mom", "beta", "vol", "rev", "size")


@dataclass(frozen=True, slots=True)
class Settings:
    benchmark: str = "SPY"
    quantile: float = 0.2
    refresh_seconds: float = 2.0
    dispersion_since_years: int = 3
    alert_sigma: float = 3.0
    weighting: Literal["equal", "cap"] = "equal"
    momentum_vol_target: float = 0.12  # Barroso & Santa-Clara target vol (History lens)


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    tickers: tuple[str, ...]
    weights: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def weight(self, ticker: str) -> float:
        return self.weights.get(ticker, 1.0)


@dataclass(frozen=True, slots=True)
class LetfFund:
    ticker: str
    underlying: str
    leverage: float
    aum_usd: float


@dataclass(frozen=True, slots=True)
class FactorSpec:
    name: str
    signal: str
    long: Literal["top", "bottom"]


@dataclass(frozen=True, slots=True)
class Config:
    settings: Settings = field(default_factory=Settings)
    themes: tuple[Theme, ...] = ()
    letfs: tuple[LetfFund, ...] = ()
    letfs_as_of: date | None = None
    factors: tuple[FactorSpec, ...] = ()
    # where each file was read from: {"themes.yaml": Path, ...}
    sources: dict[str, Path] = field(default_factory=dict)
