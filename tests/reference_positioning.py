"""An independent pandas reading of DESIGN.md "Positioning and gamma" (user series at T).

Written from the definitions, row by row with calendar-date filters, no shared code with
crowdwatch.analytics.positioning. Choices where DESIGN.md leaves room are marked "choice:".
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd


def _past_year(group: pd.DataFrame, day: date) -> pd.Series:
    """Values of the observations dated day-365 .. day-1 (both included)."""
    dates = group["date"]
    keep = (dates >= day - timedelta(days=365)) & (dates <= day - timedelta(days=1))
    return group.loc[keep, "value"]


def reference_series(
    frame: pd.DataFrame, today: date, specs: dict[str, dict], letf_gamma: float | None
) -> tuple[dict[str, dict], float | None]:
    """{name: {value, date, change, percentile_1y, stale, label, unit, role}} and net gamma."""
    frame = frame.dropna(subset=["value"])
    out: dict[str, dict] = {}
    for name in sorted(frame["name"].unique()):
        group = frame[frame["name"] == name].sort_values("date")
        spec = specs.get(name, {})
        entry = {
            "value": None, "date": None, "change": None, "percentile_1y": None, "stale": None,
            "label": spec.get("label", name), "unit": spec.get("unit"), "role": spec.get("role"),
        }  # fmt: skip
        upto = group[group["date"] <= today]
        if len(upto):
            value = float(upto["value"].iloc[-1])
            day = upto["date"].iloc[-1]
            window = _past_year(group, day)
            entry.update(
                value=value,
                date=day,
                change=value - float(upto["value"].iloc[-2]) if len(upto) > 1 else None,
                percentile_1y=float((window <= value).mean()) if len(window) >= 10 else None,
                stale=(today - day).days > 7,
            )
        out[name] = entry
    dealers = [name for name, spec in specs.items() if spec.get("role") == "dealer_gamma"]
    net = None
    if dealers and dealers[0] in out and letf_gamma is not None:
        dealer_value = out[dealers[0]]["value"]
        net = dealer_value - letf_gamma if dealer_value is not None else None
    return out, net


def reference_band(frame: pd.DataFrame, name: str, quantile: float) -> list[float | None]:
    """Per observation of `name` (date order), the quantile (linear) of its past year;
    choice: null with fewer than 10 observations, like percentile_1y."""
    group = frame[frame["name"] == name].sort_values("date")
    out: list[float | None] = []
    for day in group["date"]:
        window = _past_year(group, day)
        out.append(float(np.quantile(window.to_numpy(), quantile)) if len(window) >= 10 else None)
    return out
