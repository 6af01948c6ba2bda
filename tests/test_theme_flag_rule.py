"""The flag rule's thirds and its reason in words, on hand-worked cases (DESIGN "Flags")."""

from __future__ import annotations

from crowdwatch.analytics.themes import flag_reason, flags, momentum_thirds


def test_thirds_of_seven_themes_by_momentum_ties_by_name() -> None:
    # ceil(7/3) = 3: the top three and the bottom three, one in the middle
    momentum = {"a": 0.5, "b": 0.4, "c": 0.4, "d": 0.1, "e": 0.0, "f": -0.2, "g": -0.3}
    momentum["none"] = None
    thirds = momentum_thirds(momentum)
    assert [k for k, v in thirds.items() if v == ("top",)] == ["a", "b", "c"]
    assert thirds["d"] == ("middle",)
    assert [k for k, v in thirds.items() if v == ("bottom",)] == ["e", "f", "g"]
    assert thirds["none"] == ()


def test_one_theme_alone_is_in_both_thirds_and_ties_break_by_name() -> None:
    assert momentum_thirds({"only": 0.1}) == {"only": ("top", "bottom")}
    # two themes with the same momentum: the first by name is the top one
    assert momentum_thirds({"y": 0.2, "x": 0.2}) == {"y": ("bottom",), "x": ("top",)}


def test_flags_follow_the_thirds() -> None:
    momentum = {"a": 0.5, "b": 0.1, "c": -0.3}
    sigma = {"a": -2.0, "b": -5.0, "c": 2.5}
    assert flags(momentum, sigma) == {"a": "UNWIND", "b": None, "c": "SQUEEZE"}


def test_reason_names_the_third_and_the_rule() -> None:
    assert flag_reason(("top",), -2.0, "UNWIND") == (
        "UNWIND: momentum in the top third and σ -2.00 ≤ -2"
    )
    text = flag_reason(("middle",), -5.0, None)
    assert text.startswith("Not flagged: momentum in the middle third, σ -5.00")
    assert "UNWIND needs the top third and σ ≤ -2" in text
    assert flag_reason((), None, None).startswith("Not flagged: no theme momentum")
