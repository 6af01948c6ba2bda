"""Validate each config file's node tree and build the typed schema objects from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from yaml.nodes import Node

from crowdwatch.config.schema import (
    COLOUR_SCHEMES,
    SERIES_ROLES,
    SERIES_UNITS,
    SIGNALS,
    FactorSpec,
    LetfFund,
    SeriesSpec,
    Settings,
    Theme,
)
from crowdwatch.config.yamlnodes import MAX_NOTE, FileCheck, suggestion

SETTINGS_KEYS = (
    "benchmark",
    "quantile",
    "refresh_seconds",
    "dispersion_since_years",
    "alerts",
    "weighting",
    "series",
    "colour_scheme",
    "momentum_vol_target",
)
ALERT_KEYS = ("sigma",)
SERIES_KEYS = ("label", "unit", "role")
WEIGHTINGS = ("equal", "cap")
THEME_KEYS = ("name", "tickers", "weights", "note")
FUND_KEYS = ("ticker", "underlying", "leverage", "aum_usd")
FACTOR_KEYS = ("name", "signal", "long")
LONG_SIDES = ("top", "bottom")

# Bounds: what the computation can do and a desk would plausibly write.
REFRESH_RANGE = (0.1, 3600.0)  # the app polls at most 10 times a second, at least hourly
MAX_YEARS = 50  # dispersion history; Yahoo fetches this many years plus two
MAX_ALERT_SIGMA = 100.0
MAX_VOL_TARGET = 5.0  # a 500% annualised volatility target: beyond any real book
# crowding costs ~6 ms per theme plus ~2 ms per member (prepare, demo market): 2,000
# themes took 15 s, so themes are bounded rather than the crowding rewritten
MAX_THEMES, MAX_THEME_TICKERS, MAX_THEME_MEMBERSHIPS = 100, 200, 2_000
MAX_WEIGHT = 1e6  # relative weights; a larger ratio is a typo
MAX_FUNDS, MAX_LEVERAGE, MAX_AUM_USD = 1_000, 10.0, 1e13  # the largest fund holds ~1.5e12
MAX_FACTORS = 50
# series keyed by name in the report and the export: a factor or theme may not take these
# (the momentum baskets' keys, analytics.results.BASKET_KEYS, and the export's date column)
RESERVED_SERIES = ("winners", "short_momentum", "momentum_pair", "momentum_beta_neutral", "date")


def _top(check: FileCheck, root: Node | None, keys: tuple[str, ...], required: tuple[str, ...]):
    """The top-level mapping of a file, or {} after recording why it is unusable."""
    if root is None:
        check.error(1, None, f"the file is empty; expected a mapping with keys {', '.join(keys)}")
        return {}
    return check.mapping(root, "the top level", keys, required)


def read_settings(check: FileCheck, root: Node | None) -> Settings:
    values = _top(check, root, SETTINGS_KEYS, ())
    fields: dict[str, object] = {}
    if "benchmark" in values:
        fields["benchmark"] = check.ticker(values["benchmark"], "benchmark")
    if "quantile" in values:
        quantile = check.number(values["quantile"], "quantile")
        if quantile is not None and not 0 < quantile <= 0.5:
            check.error(
                values["quantile"],
                "quantile",
                f"key 'quantile' must be in (0, 0.5] (the basket fraction), got {quantile:g}",
            )
            quantile = None
        # under 1% a basket of a few hundred names holds nobody
        quantile = check.in_range(values["quantile"], "quantile", quantile, 0.01, 0.5)
        fields["quantile"] = quantile
    if "refresh_seconds" in values:
        seconds = check.positive(values["refresh_seconds"], "refresh_seconds")
        seconds = check.in_range(
            values["refresh_seconds"], "refresh_seconds", seconds, *REFRESH_RANGE, " seconds"
        )
        fields["refresh_seconds"] = seconds
    if "dispersion_since_years" in values:
        years = check.integer(values["dispersion_since_years"], "dispersion_since_years")
        if years is not None and years < 1:
            check.error(
                values["dispersion_since_years"],
                "dispersion_since_years",
                f"key 'dispersion_since_years' must be at least 1, got {years}",
            )
            years = None
        years = check.in_range(
            values["dispersion_since_years"], "dispersion_since_years", years, 1, MAX_YEARS
        )
        fields["dispersion_since_years"] = years
    if "alerts" in values:
        alerts = check.mapping(values["alerts"], "alerts", ALERT_KEYS, key="alerts")
        if "sigma" in alerts:
            sigma = check.positive(alerts["sigma"], "sigma")
            sigma = check.in_range(alerts["sigma"], "sigma", sigma, 0, MAX_ALERT_SIGMA)
            fields["alert_sigma"] = sigma
    if "weighting" in values:
        fields["weighting"] = check.choice(values["weighting"], "weighting", WEIGHTINGS)
    if "series" in values:
        fields["series"] = read_series_specs(check, values["series"])
    if "colour_scheme" in values:
        fields["colour_scheme"] = check.choice(
            values["colour_scheme"], "colour_scheme", COLOUR_SCHEMES
        )
    if "momentum_vol_target" in values:
        node = values["momentum_vol_target"]
        target = check.positive(
            node, "momentum_vol_target", " (an annualised volatility such as 0.12)"
        )
        # bounded like every number: 1e308 / momentum_vol would overflow scaled_exposure
        fields["momentum_vol_target"] = check.in_range(
            node, "momentum_vol_target", target, 0, MAX_VOL_TARGET
        )
    # a bad value was recorded as a problem; fall back to the default so building still works
    return Settings(**{name: value for name, value in fields.items() if value is not None})


def read_series_specs(check: FileCheck, node: Node) -> dict[str, SeriesSpec]:
    """`series:` name -> {label, unit, role}; one dealer_gamma at most, and in usd."""
    specs: dict[str, SeriesSpec] = {}
    gamma_line: tuple[str, int] | None = None
    for name, _line, value_node in check.pairs(node, "series"):
        what = f"series '{name}'"
        values = check.mapping(value_node, what, SERIES_KEYS, key=name)
        label = check.text(values["label"], "label") if "label" in values else None
        unit = check.choice(values["unit"], "unit", SERIES_UNITS) if "unit" in values else None
        role = check.choice(values["role"], "role", SERIES_ROLES) if "role" in values else None
        if role == "dealer_gamma":
            role_node = values["role"]
            if gamma_line is not None:
                check.error(
                    role_node,
                    "role",
                    f"key 'role' of {what}: only one series may have role dealer_gamma "
                    f"('{gamma_line[0]}' has it at line {gamma_line[1]})",
                )
                role = None
            else:
                gamma_line = (name, role_node.start_mark.line + 1)
            # an invalid unit was reported already: only a missing or other valid one here
            if "unit" not in values or unit not in ("usd", None):
                where = values.get("unit", role_node)
                check.error(
                    where,
                    "unit",
                    f"key 'unit' of {what}: role dealer_gamma needs unit usd "
                    "(US dollars per 1% move)",
                )
        specs[name] = SeriesSpec(label=label or name, unit=unit, role=role)  # type: ignore[arg-type]
    return specs


def _line(values: dict[str, Node], key: str, node: Node) -> int:
    return (values.get(key, node)).start_mark.line + 1


T = TypeVar("T")


def read_named_items(
    check: FileCheck,
    items: list[Node],
    read_one: Callable[[FileCheck, Node], tuple[T | None, str | None, int]],
    key: str,
    twice: Callable[[str, int], str],
    series: str | None = None,
) -> list[T]:
    """Read each item of a list; a name seen before is reported (even if the item has other
    problems: both are worth fixing) and the later item dropped.

    read_one returns (the item or None, its name or None, the line of its name). With
    `series` (what the item is: "theme", "factor") the name keys a daily series, so the
    RESERVED_SERIES names are refused too.
    """
    kept: list[T] = []
    first_line: dict[str, int] = {}
    for node in items:
        item, name, line = read_one(check, node)
        if name is not None and name in first_line:
            check.error(line, key, twice(name, first_line[name]))
            continue
        if name is not None:
            first_line[name] = line
        if series and name in RESERVED_SERIES:
            what = "the date column" if name == "date" else "a momentum basket"
            check.error(
                line,
                key,
                f"key '{key}': {series} '{name}' has the name of {what}; rename it "
                "(series are keyed by name in the report and the export)",
            )
            continue
        if item is not None:
            kept.append(item)
    check.names.update(first_line)
    return kept


def _items(check: FileCheck, values: dict[str, Node], key: str, limit: int, what: str):
    """The list under `key` ([] after recording why it is unusable or too long)."""
    items = check.sequence(values[key], key) if key in values else None
    if items is None or check.too_many(values[key], key, len(items), limit, what):
        return []
    return items


def _theme(check: FileCheck, node: Node) -> tuple[Theme | None, str | None, int]:
    values = check.mapping(node, "a theme", THEME_KEYS, ("name", "tickers"), key="themes")
    name = check.text(values["name"], "name") if "name" in values else None
    label = f"theme '{name}'" if name else "this theme"
    tickers: list[str] = []
    if "tickers" in values:
        items = check.sequence(values["tickers"], "tickers")
        if items is not None and not items:
            check.error(values["tickers"], "tickers", f"key 'tickers' of {label} is empty")
        if items and check.too_many(
            values["tickers"], "tickers", len(items), MAX_THEME_TICKERS, "tickers"
        ):
            items = None
        first_line: dict[str, int] = {}
        for item in items or []:
            symbol = check.ticker(item, "tickers")
            if symbol is None:
                continue
            if symbol in first_line:
                check.error(
                    item,
                    "tickers",
                    f"key 'tickers': {symbol} is listed twice in {label} "
                    f"(first at line {first_line[symbol]})",
                )
                continue
            first_line[symbol] = item.start_mark.line + 1
            tickers.append(symbol)
    weights: dict[str, float] = {}
    if "weights" in values:
        for raw, line, value_node in check.pairs(values["weights"], "weights"):
            symbol = raw.upper()
            if symbol in weights:
                check.error(line, raw, f"key '{raw}': {symbol} is listed twice in weights")
                continue
            if tickers and symbol not in tickers:
                check.error(
                    line,
                    raw,
                    f"key 'weights': {raw} is not one of the tickers of {label}"
                    f"{suggestion(symbol, tickers)}",
                )
                continue
            weight = check.number(value_node, raw)
            if weight is not None and weight <= 0:
                check.error(
                    value_node, raw, f"key '{raw}': weights must be positive, got {weight:g}"
                )
                continue
            weight = check.in_range(value_node, raw, weight, 0, MAX_WEIGHT)
            if weight is not None:
                weights[symbol] = weight
    note = (
        check.text(values["note"], "note", allow_empty=True, max_length=MAX_NOTE)
        if "note" in values
        else ""
    )
    line = _line(values, "name", node)
    if not name or not tickers:
        return None, name, line
    return Theme(name=name, tickers=tuple(tickers), weights=weights, note=note or ""), name, line


def read_themes(check: FileCheck, root: Node | None) -> tuple[Theme, ...]:
    values = _top(check, root, ("themes",), ("themes",))
    items = _items(check, values, "themes", MAX_THEMES, "themes")
    themes = read_named_items(
        check,
        items,
        _theme,
        "name",
        lambda name, first: f"key 'name': theme '{name}' is defined twice (first at line {first})",
        series="theme",
    )
    memberships = sum(len(theme.tickers) for theme in themes)
    if memberships > MAX_THEME_MEMBERSHIPS:
        check.error(
            values["themes"],
            "themes",
            f"key 'themes': the themes list {memberships:,} tickers in all; the limit is "
            f"{MAX_THEME_MEMBERSHIPS:,} (each member adds to the crowding's cost)",
        )
    return tuple(themes)


def _fund(check: FileCheck, node: Node) -> tuple[LetfFund | None, str | None, int]:
    values = check.mapping(node, "a fund", FUND_KEYS, FUND_KEYS, key="funds")
    ticker = check.ticker(values["ticker"], "ticker") if "ticker" in values else None
    underlying = (
        check.ticker(values["underlying"], "underlying") if "underlying" in values else None
    )
    leverage = check.number(values["leverage"], "leverage") if "leverage" in values else None
    if leverage is not None and leverage in (0, 1):
        check.error(
            values["leverage"],
            "leverage",
            f"key 'leverage' of {ticker or 'this fund'} is {leverage:g}: a fund with leverage "
            "0 or 1 does no rebalancing (use e.g. 2, 3, -1, -3)",
        )
        leverage = None
    if leverage is not None:
        leverage = check.in_range(
            values["leverage"], "leverage", leverage, -MAX_LEVERAGE, MAX_LEVERAGE
        )
    aum = check.number(values["aum_usd"], "aum_usd") if "aum_usd" in values else None
    if aum is not None and aum < 0:
        check.error(
            values["aum_usd"],
            "aum_usd",
            f"key 'aum_usd' of {ticker or 'this fund'} must not be negative, got {aum:g}",
        )
        aum = None
    if aum is not None:
        aum = check.in_range(values["aum_usd"], "aum_usd", aum, 0, MAX_AUM_USD, " dollars")
    line = _line(values, "ticker", node)
    if ticker is None or underlying is None or leverage is None or aum is None:
        return None, ticker, line
    return (
        LetfFund(ticker=ticker, underlying=underlying, leverage=leverage, aum_usd=aum),
        ticker,
        line,
    )


def read_letfs(check: FileCheck, root: Node | None) -> tuple[tuple[LetfFund, ...], date | None]:
    values = _top(check, root, ("as_of", "funds"), ("funds",))
    as_of = check.day(values["as_of"], "as_of") if "as_of" in values else None
    funds = read_named_items(
        check,
        _items(check, values, "funds", MAX_FUNDS, "funds"),
        _fund,
        "ticker",
        lambda ticker, first: (
            f"key 'ticker': fund {ticker} is listed twice (first at line {first})"
        ),
    )
    return tuple(funds), as_of


def _factor(check: FileCheck, node: Node) -> tuple[FactorSpec | None, str | None, int]:
    values = check.mapping(node, "a factor", FACTOR_KEYS, FACTOR_KEYS, key="factors")
    name = check.text(values["name"], "name") if "name" in values else None
    signal = check.choice(values["signal"], "signal", SIGNALS) if "signal" in values else None
    long = check.choice(values["long"], "long", LONG_SIDES) if "long" in values else None
    line = _line(values, "name", node)
    if name is None or signal is None or long is None:
        return None, name, line
    return FactorSpec(name=name, signal=signal, long=long), name, line  # type: ignore[arg-type]


def read_factors(check: FileCheck, root: Node | None) -> tuple[FactorSpec, ...]:
    values = _top(check, root, ("factors",), ("factors",))
    factors = read_named_items(
        check,
        _items(check, values, "factors", MAX_FACTORS, "factors"),
        _factor,
        "name",
        lambda name, first: f"key 'name': factor '{name}' is defined twice (first at line {first})",
        series="factor",
    )
    return tuple(factors)
