"""Predictive CLV: hand-worked predictions, maximum-likelihood fits, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkit import Money, RoundingMode, ValidationError
from shopkit.metrics import (
    BgNbd,
    ConvergenceError,
    GammaGamma,
    MbgNbd,
    RepeatSummary,
    clv,
    to_money,
)


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers drawn from BG/NBD with r=0.5, alpha=5, a=1.2, b=3 over 40 time units."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.5, 1 / 5, n)
    p = rng.beta(1.2, 3.0, n)
    age = rng.uniform(20, 40, n).round()
    freq, rec = np.zeros(n), np.zeros(n)
    for i in range(n):
        time = 0.0
        while True:
            time += rng.exponential(1 / lam[i])
            if time > age[i]:
                break
            freq[i] += 1
            rec[i] = time
            if rng.random() < p[i]:
                break
    return freq, rec.round(2), age


def bg_log_likelihood(params, x, t, age, modified=False) -> float:
    """The BG/NBD (or MBG/NBD) log-likelihood written out with math.lgamma, row by row."""
    r, alpha, a, b = params
    total = 0.0
    for xi, ti, ai in zip(x, t, age, strict=True):
        front = math.lgamma(r + xi) - math.lgamma(r) + r * math.log(alpha)
        if modified:
            beta = math.lgamma(a + b) + math.lgamma(b + xi + 1) - math.lgamma(b)
            beta -= math.lgamma(a + b + xi + 1)
            tail = (a / (b + xi)) * math.exp(-(r + xi) * math.log(alpha + ti))
        else:
            beta = math.lgamma(a + b) + math.lgamma(b + xi) - math.lgamma(b)
            beta -= math.lgamma(a + b + xi)
            tail = (a / (b + xi - 1)) * math.exp(-(r + xi) * math.log(alpha + ti)) if xi else 0
        total += front + beta + math.log(math.exp(-(r + xi) * math.log(alpha + ai)) + tail)
    return total


def test_p_alive_by_hand() -> None:
    model = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
    # x = 2, t = 30.43, T = 38.86: odds = a/(b + x − 1)·((α + T)/(α + t))^(r + x)
    # = 0.793/3.426 · (43.274/34.844)^2.243 = 0.23147 · 1.6258 = 0.37632; p = 1/1.37632 = 0.7266
    # x = 0: BG/NBD says a customer with no repeat purchase is alive
    alive = model.p_alive([2, 0], [30.43, 0], [38.86, 38.86])
    assert alive[0] == pytest.approx(0.7266, abs=1e-4)
    assert alive[1] == 1.0
    assert model.probability_alive([2], [30.43], [38.86])[0] == alive[0]
    # MBG/NBD: x = 0, t = 0, T = 10 with r = α = a = b = 1:
    # odds = a/(b + x)·((α + T)/(α + t))^(r + x) = 1 · 11 = 11; p = 1/12
    assert MbgNbd(r=1, alpha=1, a=1, b=1).p_alive([0], [0], [10])[0] == pytest.approx(1 / 12)


def test_expected_purchases_by_hand() -> None:
    model = BgNbd(r=1, alpha=1, a=2, b=1)
    # a new customer over t = 1: (a + b − 1)/(a − 1)·[1 − (α/(α + t))^r·2F1(r, b; a + b − 1;
    # t/(α + t))] = 2·[1 − ½·2F1(1, 1; 2; ½)], and 2F1(1, 1; 2; z) = −ln(1 − z)/z = 1.386294,
    # so 2·(1 − 0.693147) = 0.613706
    assert model.expected_purchases_new(1.0) == pytest.approx(0.613706, abs=1e-6)
    # x = 0, T = 1, over h = 1: (a + b + x − 1)/(a − 1) = 2; ((α + T)/(α + T + h))^(r + x) = 2/3;
    # 2F1(1, 1; 2; 1/3) = 3·ln(3/2) = 1.216395; 2·(1 − 2/3·1.216395) = 0.378139 (alive for sure)
    assert model.expected_purchases(1.0, [0], [0], [1])[0] == pytest.approx(0.378139, abs=1e-6)
    assert model.expected_purchases(0.0, [3], [2], [5])[0] == 0.0


def test_expected_spend_and_clv_by_hand() -> None:
    spend = GammaGamma(p=1, q=2, v=1)
    # x = 0: the population mean p·v/(q − 1) = 1; x = 2, m = 4: p·(v + x·m)/(p·x + q − 1)
    # = (1 + 8)/(2 + 1) = 3
    assert spend.expected_spend([0, 2], [0, 4]).tolist() == [1.0, 3.0]
    purchases = BgNbd(r=1, alpha=1, a=2, b=1)
    summary = RepeatSummary(
        customers=("c1",),
        frequency=np.array([0.0]),
        recency=np.array([0.0]),
        T=np.array([1.0]),
        monetary=np.array([0.0]),
        currency="GBP",
    )
    # one period of length 1: 0.378139 purchases × 1 spend / 1.01 = 0.374395
    value = clv(purchases, spend, summary, periods=1, period_length=1.0, discount_rate=0.01)
    assert value[0] == pytest.approx(0.374395, abs=1e-6)
    # two periods without discounting: E[X(2)] × 1 (the increments add up)
    two = clv(purchases, spend, summary, periods=2, period_length=1.0, discount_rate=0.0)
    assert two[0] == pytest.approx(purchases.expected_purchases(2.0, [0], [0], [1])[0])


def test_to_money_rounds_once_with_a_named_rule() -> None:
    # 12.345678 GBP → 1234.5678 pence → 1235 half-up; 2.5 JPY half-even → 2, half-up → 3
    assert to_money(12.345678, "GBP") == Money(1235, "GBP")
    assert to_money(2.5, "JPY", RoundingMode.HALF_EVEN) == Money(2, "JPY")
    assert to_money(2.5, "JPY") == Money(3, "JPY")
    with pytest.raises(ValidationError):
        to_money(math.nan, "GBP")


@pytest.mark.parametrize("model", [BgNbd, MbgNbd])
def test_the_fit_is_the_maximum_of_the_likelihood(model) -> None:
    x, t, age = simulate(400, seed=1)
    fitted = model.fit(x, t, age)
    params = np.array([fitted.r, fitted.alpha, fitted.a, fitted.b])
    best = bg_log_likelihood(params, x, t, age, modified=model is MbgNbd)
    assert fitted.log_likelihood == pytest.approx(best, rel=1e-9)
    # every step of 0.1 % along any parameter lowers the likelihood written out by hand
    for i in range(4):
        for sign in (-1, 1):
            moved = params.copy()
            moved[i] *= 1 + sign * 1e-3
            assert bg_log_likelihood(moved, x, t, age, modified=model is MbgNbd) < best


def test_bg_nbd_recovers_the_parameters_it_was_simulated_with() -> None:
    x, t, age = simulate(3000, seed=7)
    fitted = BgNbd.fit(x, t, age)
    # simulated with r = 0.5, α = 5, a = 1.2, b = 3: within sampling error of 3000 customers
    assert fitted.r == pytest.approx(0.5, rel=0.25)
    assert fitted.alpha == pytest.approx(5, rel=0.35)


def test_weights_are_the_same_as_repeated_rows() -> None:
    x, t, age = simulate(200, seed=3)
    repeated = BgNbd.fit(np.repeat(x, 3), np.repeat(t, 3), np.repeat(age, 3))
    weighted = BgNbd.fit(x, t, age, weights=np.full(len(x), 3.0))
    for name in ("r", "alpha", "a", "b"):
        assert getattr(weighted, name) == pytest.approx(getattr(repeated, name), rel=1e-8)


def test_gamma_gamma_fit_is_the_maximum_of_its_likelihood() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, 500).astype(float)
    m = np.where(x > 0, rng.gamma(6.0, 1 / 6 * rng.gamma(4, 5, 500) / 3), 0.0)
    fitted = GammaGamma.fit(x, m)

    def ll(p: float, q: float, v: float) -> float:
        total = 0.0
        for xi, mi in zip(x, m, strict=True):
            if xi > 0:
                total += (
                    math.lgamma(p * xi + q) - math.lgamma(p * xi) - math.lgamma(q)
                    + q * math.log(v) + (p * xi - 1) * math.log(mi) + p * xi * math.log(xi)
                    - (p * xi + q) * math.log(xi * mi + v)
                )  # fmt: skip
        return total

    best = ll(fitted.p, fitted.q, fitted.v)
    assert fitted.log_likelihood == pytest.approx(best, rel=1e-9)
    for factor in (0.999, 1.001):
        assert ll(fitted.p * factor, fitted.q, fitted.v) < best
        assert ll(fitted.p, fitted.q * factor, fitted.v) < best
        assert ll(fitted.p, fitted.q, fitted.v * factor) < best


def test_data_that_is_not_a_repeat_summary_names_the_row() -> None:
    with pytest.raises(ValidationError) as error:
        BgNbd.fit([1, 2], [5, 9], [6, 8])
    assert error.value.field == "recency[1]"
    with pytest.raises(ValidationError) as error:
        BgNbd.fit([0, 1.5], [0, 2], [6, 8])
    assert error.value.field == "frequency[1]"
    with pytest.raises(ValidationError) as error:
        BgNbd.fit([0], [1], [6])
    assert error.value.field == "recency[0]"
    with pytest.raises(ValidationError) as error:
        BgNbd.fit([], [], [])
    assert error.value.field == "frequency"
    with pytest.raises(ValidationError) as error:
        GammaGamma.fit([1, 2], [0, 5])
    assert error.value.field == "monetary[0]"
    with pytest.raises(ValidationError) as error:
        GammaGamma.fit([0, 0], [0, 0])
    assert error.value.field == "frequency"


def test_data_the_model_does_not_fit_is_a_convergence_error() -> None:
    # nobody ever bought again: the likelihood grows without bound as the rate goes to 0
    with pytest.raises(ConvergenceError) as error:
        BgNbd.fit([0] * 50, [0] * 50, np.linspace(1, 50, 50))
    assert error.value.model == "BG/NBD"
    assert error.value.code == "convergence"


def test_infinite_mean_spend_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        GammaGamma(p=1, q=0.5, v=1).expected_spend([1], [3])
    assert error.value.field == "q"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.floats(0, 1), st.floats(1, 100)), min_size=1, max_size=20
    )
)
def test_predictions_are_probabilities_and_counts(rows) -> None:
    x = np.array([row[0] for row in rows], dtype=float)
    age = np.array([row[2] for row in rows])
    t = np.where(x > 0, np.array([row[1] for row in rows]) * age, 0.0)
    for model in (BgNbd(r=0.24, alpha=4.4, a=0.79, b=2.4), MbgNbd(r=0.5, alpha=6, a=0.9, b=1.6)):
        alive = model.p_alive(x, t, age)
        assert np.all((alive >= 0) & (alive <= 1))
        soon = model.expected_purchases(5.0, x, t, age)
        later = model.expected_purchases(50.0, x, t, age)
        assert np.all(soon >= -1e-12)
        assert np.all(later >= soon - 1e-9)
