"""The priority formula and the effective-rank rule: pure functions, hand-computed values."""

from __future__ import annotations

import pytest

from tracker.moments import priority
from tracker.moments.ranking import RankInput, effective_ranks

DEFAULT = priority.Weights(reach=0.3, severity=0.3, emotional_weight=0.2, business_impact=0.2)


def f(reach=3, severity=3, emotional_weight=3, business_impact=3, effort=3, confidence=3):
    return {"reach": reach, "severity": severity, "emotional_weight": emotional_weight,
            "business_impact": business_impact, "effort": effort, "confidence": confidence}


def test_worked_example_from_the_docstring() -> None:
    factors = f(reach=4, severity=5, emotional_weight=3, business_impact=2, effort=2, confidence=4)
    # value = 0.3*4 + 0.3*5 + 0.2*3 + 0.2*2 = 3.7; 100 * 0.74 * 0.8 * 0.8 = 47.36
    assert priority.value(factors, DEFAULT) == pytest.approx(3.7)
    assert priority.score(factors, DEFAULT) == 47.4


@pytest.mark.parametrize(("factors", "expected"), [
    (f(), 21.6),                                              # 100 * .6 * .6 * .6
    (f(5, 5, 5, 5, effort=1, confidence=5), 100.0),          # the top
    (f(1, 1, 1, 1, effort=5, confidence=1), 0.8),            # the bottom: 100 * .2 * .2 * .2
    (f(5, 5, 5, 5, effort=5, confidence=5), 20.0),           # expensive: a fifth of the value
    (f(5, 5, 5, 5, effort=1, confidence=1), 20.0),           # unsure: a fifth as well
    (f(5, 1, 1, 1, effort=3, confidence=3), 15.8),           # value 2.2: 100*.44*.6*.6=15.84
])
def test_hand_computed_scores(factors, expected) -> None:
    assert priority.score(factors, DEFAULT) == expected


def test_effort_and_confidence_pull_the_score_down() -> None:
    base = priority.score(f(effort=2, confidence=5), DEFAULT)
    assert priority.score(f(effort=4, confidence=5), DEFAULT) < base
    assert priority.score(f(effort=2, confidence=2), DEFAULT) < base


def test_weights_are_a_mean_so_their_scale_does_not_matter() -> None:
    scaled = priority.Weights(reach=3, severity=3, emotional_weight=2, business_impact=2)
    factors = f(reach=2, severity=4, emotional_weight=5, business_impact=1, effort=3)
    assert priority.score(factors, scaled) == priority.score(factors, DEFAULT)


def test_only_weighted_factors_count() -> None:
    reach_only = priority.Weights(reach=1, severity=0, emotional_weight=0, business_impact=0)
    # value = reach = 5 -> 100 * 1 * 0.6 * 0.6
    assert priority.score(f(reach=5, severity=1, emotional_weight=1, business_impact=1),
                          reach_only) == 36.0


def test_exact_arithmetic_and_half_up_rounding() -> None:
    # value = (1*3 + 15*2) / 16 = 33/16; score = 100 * 33/80 * 1/5 * 1/5 = 1.65 exactly.
    # Float arithmetic and round() would give 1.6 (1.65 is 1.6499.. as a float).
    weights = priority.Weights(reach=1, severity=15, emotional_weight=0, business_impact=0)
    assert priority.score(f(reach=3, severity=2, effort=5, confidence=1), weights) == 1.7


def test_breakdown_shows_every_step() -> None:
    factors = f(reach=4, severity=5, emotional_weight=3, business_impact=2, effort=2, confidence=4)
    b = priority.breakdown(factors, DEFAULT)
    assert b["value"] == 3.7 and b["value_share"] == 0.74
    assert b["confidence_factor"] == 0.8 and b["effort_factor"] == 0.8 and b["score"] == 47.4
    assert b["weights"] == DEFAULT.as_dict()


def test_weights_must_be_non_negative_and_not_all_zero() -> None:
    assert priority.check_weights(DEFAULT) is None
    assert priority.check_weights(priority.Weights(0, 0, 0, 0))[0] == "weights"
    assert priority.check_weights(priority.Weights(1, -1, 0, 0))[0] == "severity"
    assert priority.check_weights(priority.Weights(1, 0, float("nan"), 0))[0] == "emotional_weight"


def ranks(*moments: tuple[int, float, int | None]) -> list[int]:
    return effective_ranks([RankInput(*m) for m in moments])


def test_unpinned_moments_rank_by_score_then_id() -> None:
    assert ranks((1, 10.0, None), (2, 50.0, None), (3, 50.0, None)) == [2, 3, 1]


def test_a_pin_holds_its_position_and_the_rest_fill_around_it() -> None:
    moments = [(1, 90.0, None), (2, 80.0, None), (3, 70.0, None), (4, 5.0, 2)]
    assert ranks(*moments) == [1, 4, 2, 3]
    assert ranks((1, 90.0, None), (2, 80.0, None), (3, 1.0, 1)) == [3, 1, 2]


def test_pins_beyond_the_end_land_last_and_collisions_follow_each_other() -> None:
    assert ranks((1, 90.0, None), (2, 10.0, 10)) == [1, 2]
    assert ranks((1, 90.0, None), (2, 10.0, 1), (3, 20.0, 1)) == [3, 2, 1]
    assert ranks((1, 9.0, 3), (2, 8.0, 2), (3, 7.0, 1)) == [3, 2, 1]
    assert ranks() == []
