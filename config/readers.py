"""Validate each config file's node tree and build the typed schema objects from it."""

from __future__ import annotations

from datetime import date

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
from crowdwatch.config.yamlnodes import FileCheck, suggestion

SETTINGS_KEYS = (
    "benchmark",
    "quantile",
    "refresh_seconds",
    "dispersion_since_years",
    "alerts",
    "weighting",
    "series",
    "colour_scheme",
)
ALERT_KEYS = ("sigma",)
SERIES_KEYS = ("label", "unit", "role")
WEIGHTINGS = ("equal", "cap")
THEME_KEYS = ("name", "tickers", "weights", "note")
FUND_KEYS = ("ticker", "underlying", "leverage", "aum_usd")
FACTOR_KEYS = ("name", "signal", "long")
LONG_SIDES = ("top", "bottom")


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
        fields["quantile"] = quantile
    if "refresh_seconds" in values:
        seconds = check.number(values["refresh_seconds"], "refresh_seconds")
        if seconds is not None and seconds <= 0:
            check.error(
                values["refresh_seconds"],
                "refresh_seconds",
                f"key 'refresh_seconds' must be greater than 0, got {seconds:g}",
            )
            seconds = None
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
        fields["dispersion_since_years"] = years
    if "alerts" in values:
        alerts = check.mapping(values["alerts"], "alerts", ALERT_KEYS, key="alerts")
        if "sigma" in alerts:
            sigma = check.number(alerts["sigma"], "sigma")
            if sigma is not None and sigma <= 0:
                check.error(
                    alerts["sigma"], "sigma", f"key 'sigma' must be greater than 0, got {sigma:g}"
                )
                sigma = None
            fields["alert_sigma"] = sigma
    if "weighting" in values:
        fields["weighting"] = check.choice(values["weighting"], "weighting", WEIGHTINGS)
    if "series" in values:
        fields["series"] = read_series_specs(check, values["series"])
    if "colour_scheme" in values:
        fields["colour_scheme"] = check.choice(
            values["colour_scheme"], "colour_scheme", COLOUR_SCHEMES
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


def _theme(check: FileCheck, node: Node) -> tuple[Theme | None, str | None, int]:
    values = check.mapping(node, "a theme", THEME_KEYS, ("name", "tickers"), key="themes")
    name = check.text(values["name"], "name") if "name" in values else None
    label = f"theme '{name}'" if name else "this theme"
    tickers: list[str] = []
    if "tickers" in values:
        items = check.sequence(values["tickers"], "tickers")
        if items is not None and not items:
            check.error(values["tickers"], "tickers", f"key 'tickers' of {label} is empty")
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
            if weight is not None:
                weights[symbol] = weight
    note = check.text(values["note"], "note", allow_empty=True) if "note" in values else ""
    line = _line(values, "name", node)
    if not name or not tickers:
        return None, name, line
    return Theme(name=name, tickers=tuple(tickers), weights=weights, note=note or ""), name, line


def read_themes(check: FileCheck, root: Node | None) -> tuple[Theme, ...]:
    values = _top(check, root, ("themes",), ("themes",))
    items = check.sequence(values["themes"], "themes") if "themes" in values else None
    themes: list[Theme] = []
    first_line: dict[str, int] = {}
    for item in items or []:
        # a duplicate name is reported even when the entry has other problems
        theme, name, line = _theme(check, item)
        if name is not None and name in first_line:
            check.error(
                line,
                "name",
                f"key 'name': theme '{name}' is defined twice (first at line {first_line[name]})",
            )
            continue
        if name is not None:
            first_line[name] = line
        if theme is not None:
            themes.append(theme)
    return tuple(themes)


def _fund(check: FileCheck, node: Node) -> tuple[LetfFund | None, int]:
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
    aum = check.number(values["aum_usd"], "aum_usd") if "aum_usd" in values else None
    if aum is not None and aum < 0:
        check.error(
            values["aum_usd"],
            "aum_usd",
            f"key 'aum_usd' of {ticker or 'this fund'} must not be negative, got {aum:g}",
        )
        aum = None
    if ticker is None or underlying is None or leverage is None or aum is None:
        return None, 0
    fund = LetfFund(ticker=ticker, underlying=underlying, leverage=leverage, aum_usd=aum)
    return fund, _line(values, "ticker", node)


def read_letfs(check: FileCheck, root: Node | None) -> tuple[tuple[LetfFund, ...], date | None]:
    values = _top(check, root, ("as_of", "funds"), ("funds",))
    as_of = check.day(values["as_of"], "as_of") if "as_of" in values else None
    items = check.sequence(values["funds"], "funds") if "funds" in values else None
    funds: list[LetfFund] = []
    first_line: dict[str, int] = {}
    for item in items or []:
        fund, line = _fund(check, item)
        if fund is None:
            continue
        if fund.ticker in first_line:
            check.error(
                line,
                "ticker",
                f"key 'ticker': fund {fund.ticker} is listed twice "
                f"(first at line {first_line[fund.ticker]})",
            )
            continue
        first_line[fund.ticker] = line
        funds.append(fund)
    return tuple(funds), as_of


def _factor(check: FileCheck, node: Node) -> tuple[FactorSpec | None, int]:
    values = check.mapping(node, "a factor", FACTOR_KEYS, FACTOR_KEYS, key="factors")
    name = check.text(values["name"], "name") if "name" in values else None
    signal = check.choice(values["signal"], "signal", SIGNALS) if "signal" in values else None
    long = check.choice(values["long"], "long", LONG_SIDES) if "long" in values else None
    if name is None or signal is None or long is None:
        return None, 0
    factor = FactorSpec(name=name, signal=signal, long=long)  # type: ignore[arg-type]
    return factor, _line(values, "name", node)


def read_factors(check: FileCheck, root: Node | None) -> tuple[FactorSpec, ...]:
    values = _top(check, root, ("factors",), ("factors",))
    items = check.sequence(values["factors"], "factors") if "factors" in values else None
    factors: list[FactorSpec] = []
    first_line: dict[str, int] = {}
    for item in items or []:
        factor, line = _factor(check, item)
        if factor is None:
            continue
        if factor.name in first_line:
            check.error(
                line,
                "name",
                f"key 'name': factor '{factor.name}' is defined twice "
                f"(first at line {first_line[factor.name]})",
            )
            continue
        first_line[factor.name] = line
        factors.append(factor)
    return tuple(factors)
