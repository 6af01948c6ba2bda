"""The demo's index ETFs and price anchors: which stocks each ETF holds, and its levels."""

from __future__ import annotations

# SPY (the benchmark) is every stock, cap-weighted day by day; the others use the caps of
# universe.csv (QQQ, SOXX and the sector SPDRs capped), or equal weights.
NASDAQ_100 = (
    "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "AVGO", "TSLA", "COST", "NFLX", "AMD",
    "PEP", "TMUS", "CSCO", "ADBE", "LIN", "INTU", "QCOM", "TXN", "AMGN", "ISRG", "AMAT", "BKNG",
    "HON", "CMCSA", "VRTX", "PANW", "ADP", "GILD", "MU", "SBUX", "LRCX", "ADI", "KLAC", "INTC",
    "MDLZ", "REGN", "CTAS", "SNPS", "CDNS", "PYPL", "MAR", "CRWD", "ORLY", "CEG", "MRVL",
    "FTNT", "CSX", "ABNB", "DASH", "ROP", "ADSK", "WDAY", "NXPI", "PCAR", "CPRT", "MNST",
    "CHTR", "AEP", "PAYX", "FAST", "ROST", "KDP", "ODFL", "EXC", "FANG", "BKR", "CTSH", "EA",
    "VRSK", "XEL", "DDOG", "KHC", "GEHC", "IDXX", "CSGP", "TTWO", "LULU", "ZS", "DXCM", "ON",
    "MCHP", "TEAM", "BIIB", "CDW", "WBD", "GFS", "MDB", "ARM", "PLTR", "APP", "MSTR", "AXON",
)  # fmt: skip
SEMICONDUCTORS = (
    "NVDA", "AVGO", "AMD", "MU", "QCOM", "TXN", "INTC", "AMAT", "LRCX", "KLAC", "ADI", "MRVL",
    "NXPI", "MCHP", "ON", "MPWR", "TER", "SWKS", "QRVO", "TSM", "ENTG", "GFS", "RMBS", "ARM",
)  # fmt: skip
BIOTECH = (
    "AMGN", "GILD", "VRTX", "REGN", "BIIB", "MRNA", "INCY", "ALNY", "EXAS", "SRPT", "NBIX",
    "BMRN", "UTHR", "IONS", "INSM", "TECH",
)  # fmt: skip
DOW_30 = (
    "AAPL", "AMGN", "AMZN", "AXP", "BA", "CAT", "CRM", "CSCO", "CVX", "DIS", "GS", "HD", "HON",
    "IBM", "JNJ", "JPM", "KO", "MCD", "MMM", "MRK", "MSFT", "NKE", "NVDA", "PG", "SHW", "TRV",
    "UNH", "V", "VZ", "WMT",
)  # fmt: skip
SECTOR_ETFS = {
    "XLK": "Information Technology",
    "XLF": "Financials",
    "XLE": "Energy",
    "XLV": "Health Care",
    "XLI": "Industrials",
    "XLY": "Consumer Discretionary",
    "XLP": "Consumer Staples",
    "XLU": "Utilities",
    "XLB": "Materials",
    "XLRE": "Real Estate",
    "XLC": "Communication Services",
}
# First close of each ETF on 2021-01-04 (split-adjusted, approximate).
ETF_START = {
    "SPY": 368.8, "QQQ": 309.3, "SOXX": 136.5, "IWM": 196.1, "DIA": 303.0, "XBI": 139.0,
    "XLK": 126.5, "XLF": 29.3, "XLE": 40.2, "XLV": 113.5, "XLI": 87.5, "XLY": 161.0,
    "XLP": 67.0, "XLU": 62.5, "XLB": 72.0, "XLRE": 36.0, "XLC": 65.5,
}  # fmt: skip
SMALL_CAP_COUNT = 150  # IWM: the smallest names, equal weight
ETF_WEIGHT_CAP = {"QQQ": 0.09, "SOXX": 0.08}
SECTOR_ETF_WEIGHT_CAP = 0.22

# Closes on 2026-02-03 for the heavyweights (others get a seeded plausible price).
LAST_CLOSES = {
    "NVDA": 180.3, "AAPL": 269.5, "MSFT": 423.4, "GOOGL": 339.7, "AMZN": 238.6,
    "META": 706.4, "AVGO": 331.2, "TSLA": 421.8, "BRK-B": 503.2, "LLY": 1041.0,
    "JPM": 315.4, "WMT": 118.6, "V": 340.1, "ORCL": 164.6, "MU": 398.3, "AMD": 242.1,
    "PLTR": 167.9, "NFLX": 85.7, "COST": 951.0, "XOM": 118.9, "MSTR": 140.2,
    "COIN": 195.5, "HOOD": 98.7, "TSM": 329.9, "CEG": 291.4, "VST": 163.2, "GEV": 655.0,
    "VRT": 178.5, "ETN": 352.0, "ANET": 131.6, "WDC": 205.3, "STX": 310.8, "LRCX": 205.4,
    "AMAT": 318.7, "CRM": 228.1, "NOW": 131.2, "UNH": 283.9, "JNJ": 227.0, "PG": 151.3,
    "KO": 74.2, "LMT": 585.0, "MP": 62.7, "MARA": 10.9, "IONQ": 35.6,
}  # fmt: skip
