"""Plain-text renderings of the user series and the gamma line, shared by report and screen."""

from __future__ import annotations

from crowdwatch.analytics.formatting import DASH, ordinal, with_sign
from crowdwatch.analytics.positioning import UserSeries
from crowdwatch.analytics.results import Snapshot


def dollars(value: float | None, signed: bool = True) -> str:
    """US dollars, compact: 4.6e9 -> '+$4.6bn', -2.5e8 -> '-$250m', 1234 -> '+$1,234'."""
    if value is None:
        return DASH
    size = abs(value)
    if size >= 1e9:
        text = f"${size / 1e9:.1f}bn"
    elif size >= 1e6:
        text = f"${size / 1e6:.0f}m"
    else:
        text = f"${size:,.0f}"
    if text == "$0":  # rounds to nothing: no sign
        return text
    if value < 0:
        return "-" + text
    return "+" + text if signed else text


def series_value(value: float | None, unit: str | None, signed: bool = False) -> str:
    """A series value in its unit: usd as dollars, pct (a decimal) as percent, else a number."""
    if value is None:
        return DASH
    if unit == "usd":
        return dollars(value, signed=signed)
    if unit == "pct":
        return (with_sign(value * 100, 1) if signed else f"{value * 100:.1f}") + "%"
    if unit == "ratio":
        return with_sign(value, 3) if signed else f"{value:.3f}"
    sign = "+" if signed else ""
    return f"{value:{sign},.0f}" if abs(value) >= 1000 else f"{value:{sign}.4g}"


def series_cells(series: UserSeries) -> list[str]:
    """label, value, date, change, 1y pctile, STALE mark: one row of the Positioning table."""
    return [
        series.label,
        series_value(series.value, series.unit),
        series.date.isoformat() if series.date is not None else DASH,
        series_value(series.change, series.unit, signed=True),
        ordinal(series.percentile_1y),
        "STALE" if series.stale else "",
    ]


def gamma_line(snapshot: Snapshot) -> str:
    """'net gamma -$2.1bn per 1% (dealers +$4.6bn, LETFs -$6.7bn): net SHORT'."""
    letf = snapshot.internals.letf_gamma_usd_per_pct
    letfs = f"LETFs {dollars(-letf) if letf is not None else DASH}"
    dealer = next((s for s in snapshot.user_series.values() if s.role == "dealer_gamma"), None)
    net = snapshot.net_gamma_usd_per_pct
    if net is None:
        why = "no dealer_gamma series" if dealer is None else "no dealer gamma dated by then"
        return f"net gamma {DASH} per 1% ({why}; {letfs})"
    side = "net SHORT" if net < 0 else "net LONG" if net > 0 else "flat"
    return f"net gamma {dollars(net)} per 1% (dealers {dollars(dealer.value)}, {letfs}): {side}"
