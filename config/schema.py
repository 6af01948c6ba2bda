"""Typed configuration: the four YAML files of DESIGN.md as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

SIGNALS = ("mom", "beta", "vol", "rev", "size")
SERIES_UNITS = ("usd", "pct", "ratio", "number")
SERIES_ROLES = ("dealer_gamma", "exposure", "other")


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """settings.yaml `series:` entry: how to label and use one of the desk's own series."""

    label: str
    unit: Literal["usd", "pct", "ratio", "number"] | None = None
    role: Literal["dealer_gamma", "exposure", "other"] | None = None


# Textual's built-in themes `c` cycles through (dark first; two read well on white)
COLOUR_SCHEMES = ("textual-dark", "textual-light", "nord", "solarized-light", "gruvbox")
ALERT_OPS = ("<=", ">=", "<", ">", "==", "!=")
ALERT_CHANNELS = ("screen", "bell", "osc", "log")
ALERT_SEVERITIES = ("information", "warning", "error")


@dataclass(frozen=True, slots=True)
class Settings:
    benchmark: str = "SPY"
    quantile: float = 0.2
    refresh_seconds: float = 2.0
    dispersion_since_years: int = 3
    alert_sigma: float = 3.0
    weighting: Literal["equal", "cap"] = "equal"
    series: dict[str, SeriesSpec] = field(default_factory=dict)  # name -> label, unit, role
    colour_scheme: str = COLOUR_SCHEMES[0]


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
class Condition:
    """One test on one series: `series field op value` (a flag compares with a word)."""

    series: str
    field: str
    op: str
    value: float | str
    line: int | None = field(default=None, compare=False)  # where alerts.yaml sets it


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A named condition, plus optional `and:` conditions read on the same snapshot.

    An `and:` condition without a series reads the rule's own series (each wildcard match).
    """

    name: str
    condition: Condition
    also: tuple[Condition, ...] = ()
    severity: str = "warning"


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """alerts.yaml: the rules and where a fired alert goes."""

    cooldown_minutes: float = 30.0
    notify: tuple[str, ...] = ALERT_CHANNELS
    apprise: tuple[str, ...] = ()
    rules: tuple[AlertRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    settings: Settings = field(default_factory=Settings)
    themes: tuple[Theme, ...] = ()
    letfs: tuple[LetfFund, ...] = ()
    letfs_as_of: date | None = None
    factors: tuple[FactorSpec, ...] = ()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    # where each file was read from: {"themes.yaml": Path, ...}
    sources: dict[str, Path] = field(default_factory=dict)
