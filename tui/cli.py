"""The `crowdwatch` command line: the dashboard, report, export, watch, alerts and config."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

from crowdwatch import __version__

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
SOURCES = ("demo", "files", "yahoo")


class BadInput(Exception):
    """Something the user typed or wrote is wrong; the message says what to do."""


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def add_data_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The data options; subcommands accept them too (SUPPRESS keeps the main values)."""

    def default(value):
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("data")
    group.add_argument(
        "--source",
        choices=SOURCES,
        default=default(None),  # resolved by resolve_source: --data alone means files
        help="where prices come from (default: the built-in demo; files with --data)",
    )
    group.add_argument(
        "--data",
        type=Path,
        default=default(None),
        metavar="DIR",
        help="folder with prices.parquet|csv [quotes, universe.csv] (files)",
    )
    group.add_argument(
        "--config",
        type=Path,
        default=default(None),
        metavar="DIR",
        help="folder with any of themes/factors/letfs/settings.yaml",
    )
    group.add_argument(
        "--as-of",
        type=iso_date,
        default=default(None),
        metavar="DATE",
        help="answer as if the history ended at DATE (close mode)",
    )
    group.add_argument(
        "--series",
        type=Path,
        default=default(None),
        metavar="PATH",
        help="the desk's own series.csv|parquet (date, name, value), with any source",
    )
    group.add_argument("--speed", type=float, default=default(1.0),
                       help="demo replay speed multiplier (default 1: a few minutes)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crowdwatch",
        description="Watch crowded trades unwind: factor sigma moves, crowded themes, "
        "momentum baskets and market internals.",
    )
    parser.add_argument("--version", action="version", version=f"crowdwatch {__version__}")
    add_data_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    report = commands.add_parser("report", help="print every pane once and exit")
    style = report.add_mutually_exclusive_group()
    style.add_argument("--json", action="store_true", help="the versioned JSON contract")
    style.add_argument("--markdown", action="store_true", help="Markdown for chat")
    add_data_options(report, suppress=True)
    export = commands.add_parser(
        "export", help="write the series, internals, members or intraday trail to CSV/Parquet"
    )
    export.add_argument("out", type=Path, nargs="?", metavar="OUT.csv|OUT.parquet")
    export.add_argument(
        "--what",
        choices=("series", "internals", "members", "intraday"),
        default="series",
        help="series: a column per basket/factor/theme (default); internals: dispersion "
        "and LETF flow by day; members: today's theme members with contributions; "
        "intraday: the session's basket returns since the open",
    )
    export.add_argument(
        "--as-files",
        type=Path,
        metavar="DIR",
        help="write prices.csv (+ quotes.csv, universe.csv) to DIR for --source files",
    )
    export.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    add_data_options(export, suppress=True)
    watch = commands.add_parser("watch", help="evaluate the alert rules without a screen")
    watch.add_argument("--json", action="store_true", help="one JSON object per alert")
    watch.add_argument("--once", action="store_true", help="evaluate once and exit (cron)")
    add_data_options(watch, suppress=True)
    alerts = commands.add_parser("alerts", help="alert tools (backtest)")
    alert_commands = alerts.add_subparsers(dest="alerts_command", metavar="ACTION")
    alert_commands.required = True
    backtest = alert_commands.add_parser("backtest", help="the rules on every past close")
    backtest.add_argument("--since", type=iso_date, default=None, metavar="DATE",
                          help="list the fires from DATE on")  # fmt: skip
    backtest.add_argument("--json", action="store_true", help="JSON instead of text")
    add_data_options(backtest, suppress=True)
    add_data_options(alerts, suppress=True)
    config = commands.add_parser("config", help="init, validate or locate the YAML config")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION")
    config_commands.required = True
    config_commands.add_parser("init", help="copy the defaults to the user config dir")
    validate = config_commands.add_parser("validate", help="check a config folder")
    validate.add_argument("dir", nargs="?", type=Path, default=None)
    config_commands.add_parser("path", help="where each file is read from")
    add_data_options(config, suppress=True)
    series = commands.add_parser("series", help="the desk's own series file (positioning, gamma)")
    series_commands = series.add_subparsers(dest="series_command", metavar="ACTION")
    series_commands.required = True
    template = series_commands.add_parser("template", help="write an example series.csv")
    template.add_argument("path", nargs="?", type=Path, default=Path("series.csv"),
                          metavar="PATH", help="where to write it (default: ./series.csv)")  # fmt: skip
    template.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    add_data_options(series, suppress=True)
    return parser


def resolve_source(args: argparse.Namespace) -> None:
    """`--data DIR` alone means the files source; with another --source it is a mistake."""
    if args.source is None:
        args.source = "files" if args.data is not None else "demo"
    elif args.data is not None and args.source != "files":
        raise BadInput(
            f"--data is the folder of the files source, but --source is {args.source}: "
            "drop --data, or use --source files"
        )


def open_engine(
    args: argparse.Namespace, *, watch_config: bool = False, keep_history: bool = False
):
    """Config + feed + Engine for the data options (errors surface as exceptions)."""
    from crowdwatch.config.loader import load_config
    from crowdwatch.feeds.factory import open_feed
    from crowdwatch.feeds.user_series import open_series
    from crowdwatch.session.engine import Engine

    config = load_config(args.config)
    feed = open_feed(args.source, args.data, config, speed=args.speed)
    return Engine(
        feed,
        config,
        as_of=args.as_of,
        config_dir=args.config,
        watch_config=watch_config,
        keep_history=keep_history,
        series=open_series(args.series, feed),
    )


def print_warnings(engine) -> None:  # noqa: ANN001 - session.engine.Engine
    for warning in engine.warnings():
        print(f"crowdwatch: warning: {warning}", file=sys.stderr)


def report_snapshot(args: argparse.Namespace):
    """The snapshot `report` answers with; the feed's warnings go to stderr."""
    engine = open_engine(args)
    snapshot = engine.report_snapshot()
    print_warnings(engine)
    return snapshot


def run_report(args: argparse.Namespace) -> int:
    from crowdwatch.analytics.report import to_json
    from crowdwatch.session.report_text import text_report, to_markdown

    snapshot = report_snapshot(args)
    if args.json:
        # NaN or Infinity is not JSON: analytics must say null; a slip fails here, loudly
        print(json.dumps(to_json(snapshot), indent=2, allow_nan=False))
    elif args.markdown:
        print(to_markdown(snapshot))
    else:
        # a terminal gets tables fitted to its width; a file or a pipe gets every column
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        print(text_report(snapshot, width))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from crowdwatch.session import export

    if args.as_files is not None:
        if args.out is not None:
            raise BadInput("give OUT or --as-files DIR, not both")
        return export_folder(args, args.as_files)
    if args.out is None:
        raise BadInput("export needs OUT.csv|OUT.parquet (or --as-files DIR)")
    out: Path = args.out
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise BadInput(f"{out}: the export must end in .csv or .parquet")
    if not out.parent.is_dir():  # a typo in the folder must not create a folder tree
        why = "is not a folder" if out.parent.exists() else "does not exist"
        raise BadInput(f"{out}: the folder {out.parent} {why}; nothing was written")
    if out.exists() and not args.force and not confirm(f"{out} exists. Overwrite it? [y/N] "):
        raise BadInput(f"{out} exists and was kept; pass --force to overwrite it")
    if out.is_dir():
        raise BadInput(f"{out} is a folder; give a file name ending in .csv or .parquet")
    engine = open_engine(args)
    snapshot = engine.report_snapshot()
    frame = {
        "series": lambda: snapshot.series,
        "internals": lambda: export.internals_frame(snapshot),
        "members": lambda: export.members_frame(snapshot),
        "intraday": lambda: export.intraday_frame(engine),
    }[args.what]()
    print_warnings(engine)
    try:
        export.write_frame(frame, out)
    except OSError as exc:
        message = f"{out}: cannot write it ({exc.strerror or exc}); nothing was changed"
        raise BadInput(message) from None
    if args.what == "series":
        print(f"wrote {frame.height} days x {len(frame.columns) - 1} series to {out}")
    else:
        print(f"wrote {frame.height} rows of {args.what} to {out}")
    return EXIT_OK


def export_folder(args: argparse.Namespace, folder: Path) -> int:
    from crowdwatch.session.export import write_source_folder

    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} is a file; --as-files needs a folder")
    taken = [n for n in ("prices.csv", "quotes.csv", "universe.csv") if (folder / n).exists()]
    if taken and not args.force:
        raise BadInput(f"{folder} already has {', '.join(taken)}; pass --force to overwrite")
    if not folder.parent.is_dir():
        raise BadInput(f"{folder.parent} does not exist; create it first")
    engine = open_engine(args)
    engine.report_snapshot()
    print_warnings(engine)
    try:
        written = write_source_folder(engine, folder)
    except OSError as exc:
        raise BadInput(f"{folder}: cannot write it ({exc.strerror or exc})") from None
    for path, rows in written:
        print(f"wrote {rows} rows to {path}")
    print(f"read it back with: crowdwatch --source files --data {folder}")
    return EXIT_OK


def confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(question).strip().lower() in ("y", "yes")


def run_config(args: argparse.Namespace) -> int:
    from crowdwatch.config import commands

    if args.config_command == "init":
        for path, action in commands.init_user_config():
            print(f"{action:>14}  {path}")
        return EXIT_OK
    if args.config_command == "validate":
        label = "folder checked" if args.dir is not None else "--config"
        ok, summary = commands.validate_config(args.dir or args.config, label)
        print(summary)
        return EXIT_OK if ok else EXIT_BAD_INPUT
    print(commands.describe_paths(args.config))
    return EXIT_OK


def run_series(args: argparse.Namespace) -> int:
    from crowdwatch.feeds.user_series import SETTINGS_SNIPPET, write_template

    path: Path = args.path
    if path.is_dir():
        raise BadInput(f"{path} is a folder; give a file name such as {path / 'series.csv'}")
    if path.exists() and not args.force:
        raise BadInput(f"{path} exists and was kept; pass --force to overwrite it")
    try:
        rows = write_template(path)
    except OSError as exc:
        message = f"{path}: cannot write it ({exc.strerror or exc}); nothing was changed"
        raise BadInput(message) from None
    print(f"wrote {rows} example rows to {path}; label them in settings.yaml:")
    print(SETTINGS_SNIPPET)
    return EXIT_OK


def run_watch(args: argparse.Namespace) -> int:
    import signal
    import threading

    from crowdwatch.session.watch import Watch

    engine = open_engine(args)
    stop = threading.Event()

    def warn(text: str) -> None:
        print(f"crowdwatch: warning: {text}", file=sys.stderr, flush=True)

    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, lambda *_: stop.set())
    try:
        # a replay runs `speed` times faster: so does its polling (same ticks per session)
        interval = engine.refresh_seconds / (args.speed if engine.simulated else 1.0)
        watch = Watch(engine, engine.config.alerts, sys.stdout, warn, as_json=args.json)
        watch.run(stop, max(interval, 0.01), once=args.once)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return EXIT_OK


def run_alerts(args: argparse.Namespace) -> int:
    from crowdwatch.config.loader import load_config
    from crowdwatch.feeds.factory import open_feed
    from crowdwatch.session.backtest import backtest, backtest_text, history_model

    config = load_config(args.config)
    feed = open_feed(args.source, args.data, config, speed=args.speed)
    model = history_model(feed, config, args.as_of)
    for warning in feed.warnings():
        print(f"crowdwatch: warning: {warning}", file=sys.stderr)
    results = backtest(model, config.alerts, args.since)
    first, last = model.panel.date_at(0), model.last_date
    if args.json:
        doc = {"first": first.isoformat(), "last": last.isoformat(),
               "since": args.since.isoformat() if args.since else None,
               "rules": [result.to_json() for result in results]}  # fmt: skip
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        print(backtest_text(results, args.since or first, last))
    return EXIT_OK


def run_dashboard(args: argparse.Namespace) -> int:
    from crowdwatch.tui.app import CrowdwatchApp

    app = CrowdwatchApp(open_engine(args, watch_config=True, keep_history=True))
    app.run()
    return int(app.return_code or 0)


def main(argv: list[str] | None = None) -> int:
    from crowdwatch.config.errors import ConfigError
    from crowdwatch.feeds.base import FeedError, SourceUnavailable

    args = build_parser().parse_args(argv)
    handlers = {
        "report": run_report,
        "export": run_export,
        "config": run_config,
        "series": run_series,
        "watch": run_watch,
        "alerts": run_alerts,
    }
    try:
        resolve_source(args)
        return handlers.get(args.command, run_dashboard)(args)
    except (ConfigError, BadInput) as exc:
        print(f"crowdwatch: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SourceUnavailable as exc:  # the network or the service, not the user's input
        print(f"crowdwatch: {args.source} source: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except FeedError as exc:  # a folder, file or option the user can fix
        print(f"crowdwatch: {args.source} source: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:  # data the analytics cannot use (e.g. one day of history)
        print(f"crowdwatch: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `crowdwatch report | head`: the reader has all it wanted
        # stop Python from reporting the pipe again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
