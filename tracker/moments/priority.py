"""The moment-of-truth priority formula. Pure functions: no database, no settings.

Every factor is an integer from 1 (least) to 5 (most).

    value = (w_reach * reach + w_severity * severity
             + w_emotional_weight * emotional_weight + w_business_impact * business_impact)
            / (w_reach + w_severity + w_emotional_weight + w_business_impact)

    score = 100 * (value / 5) * (confidence / 5) * ((6 - effort) / 5)

`value` is the weighted mean of the four "how much does it matter" factors, so it stays in
1..5 whatever the weights' scale (weights 3/3/2/2 rank exactly like 0.3/0.3/0.2/0.2).
Confidence discounts what we are unsure of; effort discounts what is expensive to fix
(effort 1 keeps the full value, effort 5 keeps a fifth). The score therefore runs from
0.8 (value and confidence 1, effort 5) to 100 (value and confidence 5, effort 1).

The arithmetic is exact (rational numbers; weights are taken at their decimal value), and
the score is rounded half up to one decimal. Doing it exactly means the score does not
depend on float rounding or on the database: the same inputs give the same score on
SQLite and PostgreSQL, and a hand calculation matches to the last digit.

Worked example with the default weights (reach 0.3, severity 0.3, emotional 0.2,
business 0.2) and reach 4, severity 5, emotional 3, business 2, effort 2, confidence 4:
value = (1.2 + 1.5 + 0.6 + 0.4) / 1.0 = 3.7;
score = 100 * 0.74 * 0.8 * 0.8 = 47.36 -> 47.4.

Which weights apply: the programme's row in `priority_weights` when a lead has set one,
otherwise `Settings.weights` (env TRACKER_WEIGHT_REACH, ..._SEVERITY,
..._EMOTIONAL_WEIGHT, ..._BUSINESS_IMPACT).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

VALUE_FACTORS = ("reach", "severity", "emotional_weight", "business_impact")
FACTORS = (*VALUE_FACTORS, "effort", "confidence")
FACTOR_MIN, FACTOR_MAX = 1, 5


@dataclass(frozen=True)
class Weights:
    reach: float
    severity: float
    emotional_weight: float
    business_impact: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def of(cls, obj: Any) -> Weights:
        """From anything with the four attributes (settings, the weights row, a schema)."""
        return cls(**{name: float(getattr(obj, name)) for name in VALUE_FACTORS})


def check_weights(weights: Weights) -> tuple[str, str] | None:
    """None when usable, else (field, reason): the field is the weight at fault or `weights`."""
    for name, w in weights.as_dict().items():
        if not (w >= 0) or w == float("inf"):  # `not >=` also catches NaN
            return name, f"{name} must be a finite number >= 0"
    if sum(weights.as_dict().values()) == 0:
        return "weights", "at least one of " + ", ".join(VALUE_FACTORS) + " must be above 0"
    return None


def _exact(number: float | int) -> Fraction:
    # str() gives the shortest decimal that round-trips: 0.3 -> 3/10, not 5404319552844595/2**54.
    return Fraction(str(number))


def _value_exact(factors: dict[str, int], weights: Weights) -> Fraction:
    w = {name: _exact(getattr(weights, name)) for name in VALUE_FACTORS}
    total = sum(w.values(), Fraction(0))
    if total == 0:
        raise ValueError("at least one weight must be above 0")
    return sum((w[n] * factors[n] for n in VALUE_FACTORS), Fraction(0)) / total


def _round1(x: Fraction) -> float:
    quantized = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return float(quantized)


def value(factors: dict[str, int], weights: Weights) -> float:
    """The weighted mean of reach, severity, emotional weight and business impact (1..5)."""
    return float(_value_exact(factors, weights))


def score(factors: dict[str, int], weights: Weights) -> float:
    """100 x (value/5) x (confidence/5) x ((6 - effort)/5), rounded half up to 0.1."""
    v = _value_exact(factors, weights)
    exact = 100 * (v / 5) * Fraction(factors["confidence"], 5) * Fraction(6 - factors["effort"], 5)
    return _round1(exact)


def breakdown(factors: dict[str, int], weights: Weights) -> dict[str, Any]:
    """Every intermediate figure, so a reader can check a score by hand."""
    v = _value_exact(factors, weights)
    return {
        "weights": weights.as_dict(),
        "value": round(float(v), 4),
        "value_share": round(float(v / 5), 4),
        "confidence_factor": factors["confidence"] / 5,
        "effort_factor": (6 - factors["effort"]) / 5,
        "score": score(factors, weights),
        "formula": "100 x (value/5) x (confidence/5) x ((6 - effort)/5)",
    }


def factors_of(obj: Any) -> dict[str, int]:
    return {name: int(getattr(obj, name)) for name in FACTORS}
