"""The screen channels of a fired alert: a toast (severity by rule), the bell, OSC bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crowdwatch.analytics.alerts import Alert
from crowdwatch.session.channels import terminal_bytes

MAX_SHOWN = 3  # toasts and desktop notifications per refresh; the rest are summed up
TOAST_SECONDS = 15.0
SUMMARY_RULE = "more alerts"


def toasts_for(height: int) -> int:
    """Toasts one refresh may show on a screen `height` rows tall: a burst at the close
    (nine alerts on the demo) leaves most of a small terminal readable; the rest are one
    summary toast, and the tape (a) keeps them all."""
    return 1 if height < 30 else 2 if height < 40 else MAX_SHOWN


def summary(extra: int) -> str:
    return f"+{extra} more alert{'s' if extra != 1 else ''}: press a for the tape"


def osc_text(alerts: Sequence[Alert], notify: tuple[str, ...], env: Mapping[str, str]) -> str:
    """The OSC 9/777 notifications for a refresh's alerts ('' when osc is off or unknown)."""
    if "osc" not in notify:
        return ""
    out = b"".join(terminal_bytes(alert, ("osc",), env) for alert in alerts[:MAX_SHOWN])
    if out and len(alerts) > MAX_SHOWN:
        extra = len(alerts) - MAX_SHOWN
        out += terminal_bytes(
            Alert(alerts[-1].ts, SUMMARY_RULE, "", "", 0.0, summary(extra)), ("osc",), env
        )
    return out.decode("utf-8")


class AlertDeliveryMixin:
    """Mixed into the App: delivers the alerts a refresh worker found to the channels of
    alerts.yaml that need the screen (the log and apprise went from the worker)."""

    alert_env: Mapping[str, str]

    def deliver_alerts(self, alerts: Sequence[Alert], notify: tuple[str, ...]) -> None:
        if not alerts:
            return
        if "screen" in notify:
            # the newest alerts replace older toasts (the tape keeps them all)
            self.clear_notifications()  # type: ignore[attr-defined]
            shown = toasts_for(self.size.height)  # type: ignore[attr-defined]
            for alert in alerts[:shown]:
                self.notify(  # type: ignore[attr-defined]
                    alert.message,
                    title=alert.rule,
                    severity=alert.severity,  # type: ignore[arg-type]
                    timeout=TOAST_SECONDS,
                    markup=False,
                )
            if len(alerts) > shown:
                self.notify(summary(len(alerts) - shown), timeout=TOAST_SECONDS)  # type: ignore[attr-defined]
        if "bell" in notify:
            self.bell()  # type: ignore[attr-defined]  # once per refresh, however many fired
        text = osc_text(alerts, notify, self.alert_env)
        if text:
            self.write_to_terminal(text)

    def write_to_terminal(self, text: str) -> None:
        """Raw escape sequences to the terminal, in order with Textual's own output.

        Textual (8.x) has no public call for this: App.bell() itself writes through the
        driver, whose write() queues behind the screen updates (no sequence lands in the
        middle of a frame). The headless test driver discards what it is given.
        """
        driver = getattr(self, "_driver", None)
        if driver is not None:
            driver.write(text)
