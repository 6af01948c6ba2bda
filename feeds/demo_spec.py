"""The demo market's script: regimes, theme stories, shock days and the 4 Feb 2026 unwind."""

from __future__ import annotations

SEED = 20260204
YEARS = (2021, 2022, 2023, 2024, 2025, 2026)

# Market factor: annual log drift and a volatility multiplier per calendar year.
MARKET_DAILY_VOL = 0.0062
MARKET_DRIFT = (0.30, -0.04, 0.28, 0.21, 0.12, 0.01)
MARKET_VOL = (0.8, 1.05, 0.85, 0.75, 0.9, 0.8)

# Sector factors: daily vol and (for the sectors with a story) annual log drift per year.
SECTOR_VOL = {
    "Information Technology": 0.0055,
    "Communication Services": 0.0055,
    "Consumer Discretionary": 0.005,
    "Consumer Staples": 0.0045,
    "Energy": 0.011,
    "Financials": 0.005,
    "Health Care": 0.0045,
    "Industrials": 0.0042,
    "Materials": 0.005,
    "Real Estate": 0.0055,
    "Utilities": 0.005,
}
SECTOR_DRIFT = {
    "Energy": (0.35, 0.40, -0.05, -0.05, -0.08, 0.05),
    "Information Technology": (0.08, -0.15, 0.15, 0.08, 0.04, 0.0),
    "Real Estate": (0.15, -0.22, -0.02, -0.02, -0.04, 0.0),
    "Utilities": (0.0, 0.02, -0.12, 0.05, 0.04, 0.01),
    "Health Care": (0.08, 0.02, -0.06, -0.06, -0.04, 0.01),
}
SECTOR_BETA = {
    "Information Technology": 1.2,
    "Communication Services": 1.05,
    "Consumer Discretionary": 1.15,
    "Consumer Staples": 0.55,
    "Energy": 0.85,
    "Financials": 1.05,
    "Health Care": 0.7,
    "Industrials": 1.0,
    "Materials": 1.0,
    "Real Estate": 0.85,
    "Utilities": 0.5,
}
SECTOR_IDIO_VOL = {
    "Information Technology": 0.0145,
    "Communication Services": 0.0135,
    "Consumer Discretionary": 0.015,
    "Consumer Staples": 0.0095,
    "Energy": 0.0125,
    "Financials": 0.0115,
    "Health Care": 0.0135,
    "Industrials": 0.0115,
    "Materials": 0.0125,
    "Real Estate": 0.011,
    "Utilities": 0.0095,
}

# Theme stories. drift: annual log drift of the theme factor per year; vol: daily factor
# vol; idio: member idiosyncratic daily vol; beta: member market beta. The crowded themes'
# 2025 run makes them the past winners of 2026-02-03; the laggards are the past losers.
THEMES = {
    "AI beneficiaries": {
        "drift": (0.12, -0.45, 0.32, 0.22, 0.70, 0.03),
        "vol": 0.0085,
        "idio": 0.017,
        "beta": 1.4,
    },
    "Memory": {
        "drift": (0.0, -0.40, 0.20, -0.10, 0.90, 0.10),
        "vol": 0.009,
        "idio": 0.019,
        "beta": 1.35,
    },
    "AI power": {
        "drift": (0.05, 0.0, 0.25, 0.65, 0.60, 0.04),
        "vol": 0.011,
        "idio": 0.019,
        "beta": 1.2,
    },
    "National security": {
        "drift": (0.0, 0.12, 0.10, 0.25, 0.25, 0.04),
        "vol": 0.007,
        "idio": 0.015,
        "beta": 0.9,
    },
    "Bitcoin miners": {
        "drift": (0.60, -1.30, 0.90, 0.10, 0.10, 0.0),
        "vol": 0.022,
        "idio": 0.032,
        "beta": 1.8,
    },
    "Rare earths": {
        "drift": (0.40, -0.45, -0.40, -0.25, 0.55, 0.05),
        "vol": 0.016,
        "idio": 0.03,
        "beta": 1.4,
    },
    "Unprofitable tech": {
        "drift": (-0.30, -0.90, 0.30, 0.30, 0.0, 0.0),
        "vol": 0.016,
        "idio": 0.03,
        "beta": 1.7,
    },
    "Software": {
        "drift": (0.12, -0.30, 0.30, 0.12, -0.08, -0.15),
        "vol": 0.007,
        "idio": 0.015,
        "beta": 1.15,
    },
    "Early cyclicals": {
        "drift": (0.15, -0.25, 0.20, -0.02, -0.22, 0.02),
        "vol": 0.007,
        "idio": 0.014,
        "beta": 1.15,
    },
    "Chemicals": {
        "drift": (0.12, -0.10, -0.08, -0.18, -0.40, 0.02),
        "vol": 0.006,
        "idio": 0.014,
        "beta": 1.0,
    },
    "Regional banks": {
        "drift": (0.25, -0.20, -0.30, 0.10, -0.18, 0.02),
        "vol": 0.008,
        "idio": 0.012,
        "beta": 1.1,
    },
    "Large-cap defensives": {
        "drift": (0.05, 0.02, -0.10, -0.02, -0.12, 0.02),
        "vol": 0.004,
        "idio": 0.009,
        "beta": 0.55,
    },
}
SECONDARY_THEME_LOADING = 0.4
IDIO_DRIFT_SD = 0.22  # annual persistent stock-specific drift: where momentum comes from
IDIO_VOL_SCALE = 0.85
MEGA_CAP = 3e11  # non-themed names this big follow the market: no idiosyncratic drift
IDIO_DRIFT_PERSISTENCE = 0.55
# A latent momentum factor: each day the previous close's 12-1 momentum rank (in
# [-0.5, 0.5]) earns factor x rank. It pays from mid-2022 on: the winners' long run.
MOMENTUM_FACTOR_VOL = 0.009
MOMENTUM_FACTOR_DRIFT = 0.0006
MOMENTUM_FACTOR_FROM = "2022-07-01"
SHORT_TERM_REVERSAL = 0.25  # share of the past 21 days' idiosyncratic move reversed

# The crowd builds into the unwind (the article: crowded longs, prime-book net exposure at
# the 89th percentile). From CROWD_BUILD_FROM to CROWD_BUILD_FULL, ramping linearly, then
# held to the last close: the crowded themes' members trade more as one (theme factor vol
# times theme_vol, stock-specific vol times idio) and load on the momentum factor (momentum:
# extra exposure, in rank units), so their crowding score reads high going into 4 Feb.
CROWD_BUILD_FROM = "2025-10-01"
CROWD_BUILD_FULL = "2025-12-01"
CROWD_BUILD = {
    "AI beneficiaries": {"theme_vol": 1.3, "idio": 0.7, "momentum": 0.4},
    "Memory": {"theme_vol": 1.3, "idio": 0.7, "momentum": 0.4},
    "AI power": {"theme_vol": 1.3, "idio": 0.7, "momentum": 0.4},
}

# Stocks that list late or stop trading (never themed ones).
LISTINGS = {"GEHC": "2023-01-04", "KVUE": "2023-05-04", "VLTO": "2023-10-26", "SOLV": "2024-04-01"}
DELISTINGS = {"HES": "2025-07-17", "K": "2025-12-10"}

# Shock days of the simulated tape: market factor moves, theme moves, momentum crashes
# (size ~ the momentum_pair move). The index ETFs follow from their constituents.
MARKET_SHOCKS = {
    "2021-02-25": -0.018,
    "2021-11-26": -0.016,
    "2022-05-05": -0.022,
    "2022-09-13": -0.024,
    "2022-11-10": 0.032,
    "2023-03-13": -0.008,
    "2024-08-05": -0.024,
    "2025-01-27": -0.01,
    "2025-04-03": -0.03,
    "2025-04-04": -0.032,
    "2025-04-09": 0.065,
}
THEME_SHOCKS = {
    "2023-03-13": {"Regional banks": -0.07},
    "2025-01-27": {"AI beneficiaries": -0.05, "AI power": -0.06, "Memory": -0.03},
}
MOMENTUM_CRASHES = {
    "2021-03-08": -0.028,
    "2022-11-10": -0.032,
    "2023-11-14": -0.022,
    "2025-01-27": -0.02,
    "2025-04-09": -0.03,
}

# The calm index before the unwind: the last four sessions pin SPY's return while single
# stocks keep moving (non-market parts scaled up), so the 5-day dispersion ratio spikes.
PINNED_INDEX = {
    "2026-01-28": 0.0061,
    "2026-01-29": -0.0005,
    "2026-01-30": -0.0045,
    "2026-02-02": -0.0015,
    "2026-02-03": -0.004,
}
PINNED_DISPERSION_SCALE = 1.8
PINNED_CALM_FROM = "2026-01-29"  # the days whose single-stock moves are scaled up

# 2026-02-04: the unwind. Theme returns hit exactly; the named heavyweights are set by
# hand; the rest of the market gets its sector move plus a momentum reversal, shifted so
# the benchmark ends on SESSION_INDEX_RETURN.
SESSION_INDEX_RETURN = -0.0075
SESSION_THEMES = {
    "AI beneficiaries": -0.085,
    "Memory": -0.06,
    "AI power": -0.08,
    "National security": -0.045,
    "Bitcoin miners": -0.085,
    "Rare earths": -0.07,
    "Unprofitable tech": -0.06,
    "Software": -0.025,
    "Early cyclicals": 0.021,
    "Chemicals": 0.026,
    "Regional banks": 0.019,
    "Large-cap defensives": 0.011,
}
SESSION_NAMES = {
    "NVDA": -0.048,
    "AVGO": -0.058,
    "AMD": -0.165,
    "TSM": -0.042,
    "ORCL": -0.105,
    "MU": -0.098,
    "PLTR": -0.098,
    "MSFT": -0.01,
    "AAPL": 0.009,
    "GOOGL": 0.0,
    "AMZN": 0.002,
    "META": -0.003,
    "TSLA": -0.025,
    "MSTR": -0.07,
    "COIN": -0.055,
    # semiconductors outside the AI and memory themes still trade with the group
    "INTC": -0.045,
    "QCOM": -0.03,
    "TXN": -0.021,
    "ADI": -0.024,
    "NXPI": -0.028,
    "MCHP": -0.031,
    "ON": -0.036,
    "MPWR": -0.052,
    "GFS": -0.03,
}
SESSION_SECTORS = {
    "Information Technology": -0.008,
    "Communication Services": -0.002,
    "Consumer Discretionary": -0.005,
    "Consumer Staples": 0.0,
    "Energy": 0.003,
    "Financials": -0.003,
    "Health Care": -0.002,
    "Industrials": -0.007,
    "Materials": 0.0,
    "Real Estate": -0.002,
    "Utilities": -0.007,
}
SESSION_MOMENTUM_LOADING = 0.03  # times the centred mom rank in [-0.5, 0.5]
SESSION_LOSER_SHARE = 0.3  # the losers side of that reversal, relative
SESSION_NOISE = 0.8  # times each stock's idiosyncratic vol
