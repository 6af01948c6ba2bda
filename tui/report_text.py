"""`crowdwatch report` as text: Rich tables for a morning note, Markdown for chat."""

from __future__ import annotations

import statistics

from rich.console import Console
from rich.table import Table

from crowdwatch.analytics.results import BASKET_LABELS, MoveStats, Snapshot
from crowdwatch.widgets import format as fmt

MOVE_HEADERS = ("", "today", "sigma", "pctile", "since", "1w", "1m", "YTD", "drawdown")
THEME_HEADERS = ("theme", "today", "sigma", "1w", "1m", "YTD", "crowding", "flag", "n", "missing")


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


def events_line(snapshot: Snapshot) -> str:
    forward = [e.fwd_21d for e in snapshot.events if e.fwd_21d is not None]
    if not snapshot.events:
        return "none on record"
    median = fmt.pct(statistics.median(forward)) if forward else fmt.DASH
    return f"{len(snapshot.events)} events, median next-21d pair return {median}"


def heading(snapshot: Snapshot) -> str:
    badge = " [SIMULATED]" if snapshot.simulated else ""
    return (
        f"crowdwatch {snapshot.as_of.isoformat()} ({snapshot.mode}, source {snapshot.source})"
        f"{badge}, universe {snapshot.universe_size}, benchmark {snapshot.benchmark}"
    )


def sections(snapshot: Snapshot) -> list[tuple[str, tuple[str, ...], list[list[str]]]]:
    moves = [move_row(BASKET_LABELS[k], s) for k, s in snapshot.baskets.items()]
    moves += [move_row(f"{name} factor", s) for name, s in snapshot.factors.items()]
    return [
        ("Factor sigma moves", MOVE_HEADERS, moves),
        ("Crowded themes", THEME_HEADERS, theme_rows(snapshot)),
        ("Market internals", ("", "value"), internals_rows(snapshot)),
    ]


def print_text_report(snapshot: Snapshot, console: Console | None = None) -> None:
    console = console or Console(width=140)
    console.print(heading(snapshot), markup=False, highlight=False)
    for title, headers, rows in sections(snapshot):
        table = Table(title=title, title_justify="left", header_style="bold")
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i == 0 else "right", no_wrap=i == 0)
        for row in rows:
            table.add_row(*row)
        console.print(table)


def to_markdown(snapshot: Snapshot) -> str:
    lines = [f"**{heading(snapshot)}**", ""]
    for title, headers, rows in sections(snapshot):
        lines += [f"### {title}", "", "| " + " | ".join(h or "name" for h in headers) + " |"]
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|")
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)
