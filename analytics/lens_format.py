"""Plain-text renderings of the History lens, shared by the report ("Days like today",
"Regime") and the screen (the analog days screen, the regime line of the internals pane)."""

from __future__ import annotations

from crowdwatch.analytics import formatting as fmt
from crowdwatch.analytics.history_lens import FORWARD, Analog, Features, Regime, forward_medians
from crowdwatch.analytics.results import Snapshot

ANALOG_HEADERS = (
    "day", "distance", "pair σ", "winners σ", "short σ", "index σ", "breadth", "ln disp",
    "rev corr", "pair 5d", "pair 21d", "pair 63d", "index 5d", "index 21d", "index 63d",
)  # fmt: skip
# narrow terminals: what followed (21d) and how alike the day was stay longest
ANALOG_DROP = (
    "ln disp", "winners σ", "short σ", "index 5d", "pair 5d", "index 63d", "pair 63d",
    "rev corr", "breadth", "index σ", "distance",
)  # fmt: skip


def feature_cells(features: Features) -> list[str]:
    f = features
    return [
        fmt.sigma(f.pair_sigma), fmt.sigma(f.winners_sigma), fmt.sigma(f.short_sigma),
        fmt.sigma(f.index_sigma), fmt.pct(f.breadth, 1).lstrip("+"), fmt.signed(f.dispersion),
        fmt.signed(f.reversal_corr),
    ]  # fmt: skip


def analog_row(analog: Analog) -> list[str]:
    forward = [fmt.pct(getattr(analog, key), 1) for key in FORWARD]
    return [analog.date.isoformat(), f"{analog.distance:.2f}", *feature_cells(analog.features),
            *forward]  # fmt: skip


def median_row(analogs: tuple[Analog, ...]) -> list[str]:
    medians = forward_medians(analogs)
    return ["median", "", *([""] * 7), *(fmt.pct(medians[key], 1) for key in FORWARD)]


def analog_rows(snapshot: Snapshot) -> list[list[str]]:
    """Today's point, each analog day with what followed, and the median of what followed."""
    today = snapshot.today_features
    analogs = snapshot.analogs or ()
    rows = []
    if today is not None:
        rows.append(["today", "", *feature_cells(today), *([""] * len(FORWARD))])
    rows += [analog_row(a) for a in analogs]
    if analogs:
        rows.append(median_row(analogs))
    return rows


def analogs_note(snapshot: Snapshot) -> str | None:
    """Why there is no table, when there is none."""
    if snapshot.analogs is None:
        return "none: today lacks a feature"
    if not snapshot.analogs:
        return "none: no earlier day has all seven"
    return None


def momentum_vol(regime: Regime) -> str:
    """'31%': the annualised momentum vol as a whole percent."""
    return fmt.DASH if regime.momentum_vol is None else f"{regime.momentum_vol * 100:.0f}%"


def exposure(regime: Regime) -> str:
    """'0.39x': the vol-scaled momentum exposure."""
    return fmt.DASH if regime.scaled_exposure is None else f"{regime.scaled_exposure:.2f}x"


def regime_line(regime: Regime | None) -> str:
    """'regime: bear, momentum vol 31% (92nd pctile), scaled exposure 0.39x' (under 80
    columns); 'regime: –' when nothing is known."""
    label = f"regime: {(regime.regime if regime is not None else None) or fmt.DASH}"
    if regime is None or regime.momentum_vol is None:
        return label
    pctile = fmt.ordinal(regime.momentum_vol_percentile)
    return (
        f"{label}, momentum vol {momentum_vol(regime)} ({pctile} pctile), "
        f"scaled exposure {exposure(regime)}"
    )


def regime_rows(snapshot: Snapshot) -> list[list[str]]:
    r = snapshot.regime
    if r is None:
        return [["Regime", fmt.DASH]]
    bear = {True: "  (bear market)", False: "", None: ""}[r.bear_market]
    vol, exposure_text = momentum_vol(r), exposure(r)
    return [
        ["Regime (read at the previous close)", r.regime or fmt.DASH],
        ["Index over 24 months", fmt.pct(r.index_24m, 1) + bear],
        ["Momentum vol (126d, annualised)",
         f"{vol}  ({fmt.ordinal(r.momentum_vol_percentile)} pctile)"],
        ["Scaled exposure (target / momentum vol)", exposure_text],
    ]  # fmt: skip
