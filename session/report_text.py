"""`crowdwatch report` as text: plain tables fitted to the terminal, and Markdown for chat."""

from __future__ import annotations

import statistics
import textwrap
from dataclasses import dataclass

from crowdwatch.analytics import formatting as fmt
from crowdwatch.analytics import lens_format
from crowdwatch.analytics.formatting import basket_label, factor_label
from crowdwatch.analytics.positioning_format import gamma_line, series_cells
from crowdwatch.analytics.results import MoveStats, Snapshot

MOVE_HEADERS = ("", "today", "sigma", "pctile", "since", "1w", "1m", "YTD", "drawdown")
# the order columns are dropped in when the terminal is narrow (first dropped first)
MOVE_DROP = ("drawdown", "YTD", "1m", "since", "1w", "pctile")
THEME_HEADERS = ("theme", "today", "sigma", "1w", "1m", "YTD", "crowding", "flag", "n", "missing")
THEME_DROP = ("missing", "n", "YTD", "1m", "1w", "crowding")
POSITIONING_HEADERS = ("series", "value", "date", "change", "1y pctile", "stale")
POSITIONING_DROP = ("stale", "date", "change")
NO_SERIES = "no user series (series.csv in the data folder, or --series PATH)"
DRIVER_HEADERS = ("", "today", "what drove it", "detail")
DRIVER_DROP = ("detail", "today")
TOP_NAMES = 3  # contributors named per flagged theme
GAP = 2  # spaces between columns


@dataclass(frozen=True, slots=True)
class Section:
    """One table of the report: the first column is a label, the others are values."""

    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]
    drop_order: tuple[str, ...] = ()  # headers that may go, least important first
    notes: tuple[str, ...] = ()  # lines under the table
    text_columns: tuple[str, ...] = ()  # headers of words, left-aligned like the label


def since_text(stats: MoveStats) -> str:
    return fmt.since(stats.worst_since, stats.best_since, stats.ret, stats.on_record)


def move_row(label: str, s: MoveStats) -> list[str]:
    return [
        label, fmt.pct(s.ret), fmt.sigma(s.sigma), fmt.ordinal(s.percentile), since_text(s),
        fmt.pct(s.ret_1w), fmt.pct(s.ret_1m), fmt.pct(s.ret_ytd), fmt.pct(s.drawdown),
    ]  # fmt: skip


def theme_rows(snapshot: Snapshot) -> list[list[str]]:
    return [
        [
            name, fmt.pct(t.stats.ret), fmt.sigma(t.stats.sigma), fmt.pct(t.stats.ret_1w),
            fmt.pct(t.stats.ret_1m), fmt.pct(t.stats.ret_ytd),
            fmt.DASH if t.crowding is None else f"{t.crowding:.0f}", t.flag or "",
            str(t.member_count), ", ".join(t.missing),
        ]
        for name, t in snapshot.themes.items()
    ]  # fmt: skip


def internals_rows(snapshot: Snapshot) -> list[list[str]]:
    i = snapshot.internals
    top = sorted(i.letf_by_underlying.items(), key=lambda kv: abs(kv[1]), reverse=True)[:4]
    return [
        [f"Index ({snapshot.benchmark})", fmt.pct(i.index_ret)],
        ["Breadth (share beating the index)", fmt.pct(i.breadth, 1).lstrip("+")],
        ["Dispersion ratio (5d)", f"{fmt.ratio(i.dispersion_ratio)}  "
         f"({fmt.ordinal(i.dispersion_percentile)} pctile)"],
        ["Reversal correlation", fmt.signed(i.reversal_corr)],
        ["Realized correlation (21d)", fmt.signed(i.realized_corr)],
        ["LETF rebalancing", f"{fmt.billions(i.letf_flow_usd)}  "
         f"({fmt.ordinal(i.letf_flow_percentile)} pctile)"],
        ["LETF top underlyings", ", ".join(f"{u} {fmt.billions(v)}" for u, v in top)],
        ["LETF gamma per 1% move", fmt.billions(i.letf_gamma_usd_per_pct)],
        ["Past -3 sigma pair days", events_line(snapshot)],
    ]  # fmt: skip


def driver_rows(snapshot: Snapshot) -> list[list[str]]:
    """The pair's legs in words, then each flagged theme's largest contributors."""
    pair = snapshot.baskets.get("momentum_pair")
    rows = []
    if pair is not None:
        legs = pair.legs
        rows.append(
            [
                basket_label("momentum_pair"),
                fmt.pct(pair.ret),
                fmt.DASH if legs is None else fmt.legs_words(legs.long_share),
                fmt.DASH
                if legs is None
                else f"long {fmt.pct(legs.long)}, short {fmt.pct(legs.short)}",
            ]  # fmt: skip
        )
    for name, theme in snapshot.themes.items():
        if theme.flag is None:
            continue
        top = theme.stats.top_contributors[:TOP_NAMES]
        share = theme.stats.top_share(TOP_NAMES)
        rows.append(
            [
                f"{name} ({theme.flag})",
                fmt.pct(theme.stats.ret),
                ", ".join(f"{c.ticker} {fmt.bp(c.contribution)}" for c in top) or fmt.DASH,
                fmt.DASH if share is None else f"{fmt.share(share)} of the move",
            ]
        )
    return rows


def events_line(snapshot: Snapshot) -> str:
    forward = [e.fwd_21d for e in snapshot.events if e.fwd_21d is not None]
    if not snapshot.events:
        return "none on record"
    median = fmt.pct(statistics.median(forward)) if forward else fmt.DASH
    return f"{len(snapshot.events)} events, median next-21d pair return {median}"


def positioning_section(snapshot: Snapshot) -> Section:
    rows = [series_cells(series) for series in snapshot.user_series.values()]
    notes = (gamma_line(snapshot),) if rows else (NO_SERIES, gamma_line(snapshot))
    return Section("Positioning", POSITIONING_HEADERS, rows, POSITIONING_DROP, notes=notes)


def heading(snapshot: Snapshot) -> str:
    badge = " [SIMULATED]" if snapshot.simulated else ""
    return (
        f"crowdwatch {snapshot.as_of.isoformat()} ({snapshot.mode}, source {snapshot.source})"
        f"{badge}, universe {snapshot.universe_size}, benchmark {snapshot.benchmark}"
    )


def sections(snapshot: Snapshot) -> list[Section]:
    moves = [move_row(basket_label(k), s) for k, s in snapshot.baskets.items()]
    moves += [move_row(factor_label(name), s) for name, s in snapshot.factors.items()]
    return [
        Section("Factor sigma moves", MOVE_HEADERS, moves, MOVE_DROP),
        Section("Crowded themes", THEME_HEADERS, theme_rows(snapshot), THEME_DROP),
        Section("Market internals", ("", "value"), internals_rows(snapshot)),
        Section(
            "What drove it", DRIVER_HEADERS, driver_rows(snapshot), DRIVER_DROP,
            text_columns=("what drove it", "detail"),
        ),
        positioning_section(snapshot),
        *lens_sections(snapshot),
    ]  # fmt: skip


def lens_sections(snapshot: Snapshot) -> list[Section]:
    """History lens: the analog days (or why there are none) and the momentum regime."""
    note = lens_format.analogs_note(snapshot)
    if note is None:
        rows = lens_format.analog_rows(snapshot)
        days = Section("Days like today", lens_format.ANALOG_HEADERS, rows, lens_format.ANALOG_DROP)
    else:
        days = Section("Days like today", ("", "value"), [["Analog days", note]])
    return [days, Section("Regime", ("", "value"), lens_format.regime_rows(snapshot))]


def fit_columns(section: Section, width: int | None) -> list[int]:
    """Indices of the columns to show: all when they fit, else drop by priority."""
    shown = list(range(len(section.headers)))
    droppable = [section.headers.index(h) for h in section.drop_order if h in section.headers]
    while width is not None and droppable and table_width(section, shown) > width:
        shown.remove(droppable.pop(0))
    return shown


def column_widths(section: Section, shown: list[int]) -> list[int]:
    return [
        max(len(section.headers[i]), *(len(row[i]) for row in section.rows)) if section.rows
        else len(section.headers[i])
        for i in shown
    ]  # fmt: skip


def table_width(section: Section, shown: list[int]) -> int:
    widths = column_widths(section, shown)
    return sum(widths) + GAP * (len(widths) - 1)


def render_section(section: Section, width: int | None) -> list[str]:
    """A plain table; the label column (never a number) is shortened last, with '…'."""
    shown = fit_columns(section, width)
    widths = column_widths(section, shown)
    if width is not None and sum(widths) + GAP * (len(widths) - 1) > width and len(shown) > 1:
        rest = sum(widths[1:]) + GAP * (len(widths) - 1)
        widths[0] = max(width - rest, 8)

    def line(cells: list[str]) -> str:
        parts = []
        for k, (i, size) in enumerate(zip(shown, widths, strict=True)):
            text = cells[i]
            if k == 0:
                text = text if len(text) <= size else text[: size - 1] + "…"
                parts.append(text.ljust(size))
            elif section.headers[i] in section.text_columns:
                parts.append(text.ljust(size))
            else:
                parts.append(text.rjust(size))
        return (" " * GAP).join(parts).rstrip()

    rule = "-" * min(width or 10_000, sum(widths) + GAP * (len(widths) - 1))
    table = [line(list(section.headers)), rule, *(line(r) for r in section.rows)]
    notes = [part for note in section.notes for part in textwrap.wrap(note, width or len(note))]
    return [section.title, *(table if section.rows else []), *notes]


def text_report(snapshot: Snapshot, width: int | None = None) -> str:
    """The report as plain text; `width` (a terminal's columns) drops the least important
    columns until each table fits; None (a file or a pipe) keeps every column."""
    lines = [heading(snapshot)]
    for section in sections(snapshot):
        lines += ["", *render_section(section, width)]
    return "\n".join(lines)


def to_markdown(snapshot: Snapshot) -> str:
    lines = [f"**{heading(snapshot)}**", ""]
    for section in sections(snapshot):
        headers = section.headers
        lines += [f"### {section.title}", ""]
        if section.rows:
            lines.append("| " + " | ".join(h or "name" for h in headers) + " |")
            align = ["---" if h in section.text_columns else "---:" for h in headers[1:]]
            lines.append("|" + "|".join(["---", *align]) + "|")
            lines += [
                "| " + " | ".join(cell.replace("|", "/") for cell in row) + " |"
                for row in section.rows
            ]
        if section.notes:
            lines += ["", *section.notes] if section.rows else list(section.notes)
        lines.append("")
    return "\n".join(lines)
