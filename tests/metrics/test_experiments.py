"""Experiments: statsmodels' figures to 1e-6, hand-worked numbers, assignment properties."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind

from shopkit import ConfigError, Money, ValidationError, from_dict, to_dict
from shopkit.metrics import (
    Arm,
    ArmCounts,
    Experiment,
    Metric,
    adjust_p_values,
    analyse,
    cuped,
    minimum_detectable_effect,
    power_two_proportions,
    ratio_test,
    sample_ratio_check,
    sample_size_two_proportions,
    sequential_two_proportions,
    two_proportion_test,
    welch_test,
)

TOL = 1e-6
PROPORTION_CASES = [
    (100, 1000, 130, 1000),
    (50, 2000, 41, 1800),
    (1, 30, 7, 33),
    (4500, 90000, 4800, 91000),
]


@pytest.mark.parametrize(("ca", "na", "cb", "nb"), PROPORTION_CASES)
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_two_proportion_test_is_statsmodels(ca, na, cb, nb, alternative) -> None:
    ours = two_proportion_test(ca, na, cb, nb, alternative=alternative)
    z, p = proportions_ztest([cb, ca], [nb, na], alternative=alternative)
    low, high = confint_proportions_2indep(cb, nb, ca, na, method="wald", compare="diff")
    assert ours.statistic == pytest.approx(z, abs=TOL)
    assert ours.p_value == pytest.approx(p, abs=TOL)
    assert ours.low == pytest.approx(low, abs=TOL)
    assert ours.high == pytest.approx(high, abs=TOL)


def test_two_proportion_test_by_hand() -> None:
    # 100/1000 against 130/1000: pooled 0.115, se = √(0.115·0.885·(2/1000)) = 0.0142671,
    # z = 0.03/0.0142671 = 2.10274; Wald se = √(0.1·0.9/1000 + 0.13·0.87/1000) = 0.0142513,
    # interval 0.03 ± 1.959964·0.0142513: its width is 2·1.959964·0.0142513 = 0.055864
    result = two_proportion_test(100, 1000, 130, 1000)
    assert result.statistic == pytest.approx(2.10274, abs=1e-5)
    wald = math.sqrt(0.1 * 0.9 / 1000 + 0.13 * 0.87 / 1000)
    assert result.high - result.low == pytest.approx(2 * 1.959964 * wald, abs=1e-6)
    assert result.significant(0.05)
    assert not result.significant(0.01)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_welch_test_is_statsmodels(seed, alternative) -> None:
    rng = np.random.default_rng(seed)
    a = rng.gamma(2.0, 20.0, 300)
    b = rng.gamma(2.1, 21.0, 250)
    ours = welch_test(a, b, alternative=alternative)
    t, p, df = ttest_ind(b, a, usevar="unequal", alternative=alternative)
    low, high = CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(usevar="unequal")
    assert ours.statistic == pytest.approx(t, abs=TOL)
    assert ours.p_value == pytest.approx(p, abs=TOL)
    assert ours.df == pytest.approx(df, abs=TOL)
    assert ours.low == pytest.approx(low, abs=TOL)
    assert ours.high == pytest.approx(high, abs=TOL)


def test_welch_test_by_hand() -> None:
    # a = 1, 2, 3, 4: mean 2.5, variance 5/3; b = 2, 4, 6, 8: mean 5, variance 20/3
    # se² = (5/3)/4 + (20/3)/4 = 25/12, t = 2.5/√(25/12) = 1.732051
    # df = (25/12)² / (((5/12)²)/3 + ((5/3)²)/3) = 4.340278/0.983796 = 4.411765
    result = welch_test([1, 2, 3, 4], [2, 4, 6, 8])
    assert result.statistic == pytest.approx(1.732051, abs=1e-6)
    assert result.df == pytest.approx(4.411765, abs=1e-6)
    assert result.difference == 2.5


@pytest.mark.parametrize(
    ("pa", "pb", "n", "ratio"),
    [(0.10, 0.12, 4000, 1.0), (0.05, 0.045, 20000, 2.0), (0.3, 0.33, 900, 0.5)],
)
@pytest.mark.parametrize("alternative", ["two-sided", "larger", "smaller"])
def test_power_is_statsmodels(pa, pb, n, ratio, alternative) -> None:
    effect = proportion_effectsize(pb, pa)
    theirs = NormalIndPower().power(effect, n, 0.05, ratio=ratio, alternative=alternative)
    ours = power_two_proportions(pa, pb, n, ratio=ratio, alternative=alternative)
    assert ours == pytest.approx(theirs, abs=TOL)


@pytest.mark.parametrize(
    ("pa", "pb", "ratio"), [(0.10, 0.12, 1.0), (0.05, 0.045, 2.0), (0.3, 0.33, 0.5)]
)
def test_sample_size_and_mde_are_statsmodels(pa, pb, ratio) -> None:
    effect = proportion_effectsize(pb, pa)
    theirs = NormalIndPower().solve_power(effect, power=0.8, alpha=0.05, ratio=ratio)
    ours = sample_size_two_proportions(pa, pb, ratio=ratio)
    assert ours == pytest.approx(theirs, abs=TOL)
    n = math.ceil(ours)
    rate = minimum_detectable_effect(pa, n, ratio=ratio)
    # statsmodels' power at our minimum detectable effect is the power asked for, to 1e-6
    effect = proportion_effectsize(rate, pa)
    assert NormalIndPower().power(effect, n, 0.05, ratio=ratio) == pytest.approx(0.8, abs=TOL)
    # its solve_power for the effect stops early (its power there is 0.80006 in one case):
    # the effects agree to its tolerance
    h = NormalIndPower().solve_power(None, nobs1=n, power=0.8, alpha=0.05, ratio=ratio)
    assert effect == pytest.approx(abs(h), abs=1e-5)


def test_sample_size_by_hand() -> None:
    # equal arms, the far tail left out: n = 2·((z_0.975 + z_0.8)/h)², h Cohen's h
    # h = 2·asin(√0.12) − 2·asin(√0.10) = 0.707484 − 0.643501 = 0.063983
    # n = 2·(2.801585/0.063983)² = 2·1917.25 = 3834.5 (the far tail adds ~1e-6 of power)
    assert sample_size_two_proportions(0.10, 0.12) == pytest.approx(3834.5, abs=0.5)
    with pytest.raises(ValidationError) as error:
        sample_size_two_proportions(0.1, 0.1)
    assert error.value.field == "rate_b"


def test_sample_ratio_check_is_the_chi_square_test() -> None:
    # 5000 / 5200 against 1:1: expected 5100 each, χ² = 2·100²/5100 = 3.921569
    check = sample_ratio_check([5000, 5200], [1, 1])
    assert check.statistic == pytest.approx(3.921569, abs=1e-6)
    assert check.p_value == pytest.approx(stats.chisquare([5000, 5200]).pvalue, abs=TOL)
    assert not check.mismatch
    # 9000 / 1200 against 90:10 weights is fine; 5000 / 5600 against 1:1 is a mismatch
    assert not sample_ratio_check([9000, 1000], [90, 10]).mismatch
    assert sample_ratio_check([5000, 5600], [1, 1]).mismatch


@pytest.mark.parametrize("values", [[0.01, 0.04, 0.03], [0.2, 0.001, 0.05, 0.049, 0.5], [0.9]])
def test_adjusted_p_values_are_statsmodels(values) -> None:
    for method, theirs in (("holm", "holm"), ("benjamini-hochberg", "fdr_bh")):
        expected = multipletests(values, method=theirs)[1]
        assert adjust_p_values(values, method) == pytest.approx(tuple(expected), abs=TOL)


def test_adjusted_p_values_by_hand() -> None:
    # Holm on 0.01, 0.04, 0.03: sorted 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → max so far
    # 0.06; BH: 0.04·3/3 = 0.04, 0.03·3/2 = 0.045 → min from the top 0.04, 0.01·3 = 0.03
    assert adjust_p_values([0.01, 0.04, 0.03]) == pytest.approx((0.03, 0.06, 0.06))
    assert adjust_p_values([0.01, 0.04, 0.03], "benjamini-hochberg") == pytest.approx(
        (0.03, 0.04, 0.04)
    )
    with pytest.raises(ValidationError) as error:
        adjust_p_values([0.5, 1.5])
    assert error.value.field == "p_values[1]"


def test_ratio_test_by_hand() -> None:
    # control: revenue (10, 20, 30) over orders (1, 1, 2): ratio 60/4 = 15; x̄ = 20, ȳ = 4/3,
    # var x = 100, var y = 1/3, cov = 5; Var = (100/(16/9) − 2·20·5/(64/27) + 400·(1/3)/(256/81))/3
    # = (56.25 − 84.375 + 42.1875)/3 = 4.6875
    result = ratio_test([10, 20, 30], [1, 1, 2], [12, 24, 36], [1, 1, 2])
    assert result.ratio_a == 15.0
    assert result.variance_a == pytest.approx(4.6875)
    # treatment is control × 1.2: ratio 18, variance × 1.44 = 6.75; z = 3/√11.4375 = 0.887066
    assert result.ratio_b == pytest.approx(18.0)
    assert result.variance_b == pytest.approx(6.75)
    assert result.result.statistic == pytest.approx(0.887066, abs=1e-6)


def test_cuped_by_hand_and_it_shrinks_the_variance() -> None:
    # y = 3, 5, 7 and x = 1, 2, 3: θ = cov/var = 2/1 = 2; y − 2·(x − 2) = 5, 5, 5
    adjusted, theta = cuped([3, 5, 7], [1, 2, 3])
    assert theta == 2.0
    assert adjusted.tolist() == [5.0, 5.0, 5.0]
    rng = np.random.default_rng(4)
    before = rng.gamma(2, 10, 2000)
    after = before * 0.8 + rng.normal(0, 5, 2000)
    adjusted, _ = cuped(after, before)
    assert adjusted.mean() == pytest.approx(after.mean())
    assert adjusted.var() < after.var() / 4
    with pytest.raises(ValidationError) as error:
        cuped([1, 2], [3, 3])
    assert error.value.field == "covariate"


def test_sequential_test_by_hand() -> None:
    # look 2: 100/2000 against 150/2000: d = 0.025, s² = 0.05·0.95/2000 + 0.075·0.925/2000
    # = 5.84375e-5; τ² = 0.0025; Λ = √(s²/(s² + τ²))·exp(d²τ²/(2s²(s² + τ²)))
    # = 0.151129·exp(5.345) … = 28.1; p = 1/Λ = 0.035584
    s2 = 0.05 * 0.95 / 2000 + 0.075 * 0.925 / 2000
    lam = math.sqrt(s2 / (s2 + 0.0025)) * math.exp(0.025**2 * 0.0025 / (2 * s2 * (s2 + 0.0025)))
    test = sequential_two_proportions([(50, 1000, 60, 1000), (100, 2000, 150, 2000)])
    assert test.p_values[1] == pytest.approx(1 / lam)
    assert test.p_values[1] == pytest.approx(0.035584, abs=1e-6)
    assert test.stopped_at == 1


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=12))
def test_sequential_p_values_never_rise(batches) -> None:
    looks = []
    ca = na = cb = nb = 0
    for a, b in batches:
        ca, na, cb, nb = ca + a // 5, na + a + 1, cb + b // 4, nb + b + 1
        looks.append((ca, na, cb, nb))
    values = sequential_two_proportions(looks).p_values
    assert all(0 <= p <= 1 for p in values)
    assert all(later <= earlier for earlier, later in itertools.pairwise(values))


def test_sequential_test_keeps_its_level_under_peeking() -> None:
    # A/A tests peeked at after every 200 units per arm, 20 looks: the share that ever stops is
    # at most the level (with sampling error of 400 runs: 0.05 + 3·√(0.05·0.95/400) = 0.083)
    rng = np.random.default_rng(11)
    stopped = 0
    for _ in range(400):
        a = np.cumsum(rng.random(20 * 200) < 0.1).reshape(20, 200)[:, -1]
        b = np.cumsum(rng.random(20 * 200) < 0.1).reshape(20, 200)[:, -1]
        looks = [(int(a[i]), 200 * (i + 1), int(b[i]), 200 * (i + 1)) for i in range(20)]
        stopped += sequential_two_proportions(looks).stopped_at is not None
    assert stopped / 400 <= 0.083


def experiment(holdout: str = "0") -> Experiment:
    return Experiment(
        name="checkout-banner",
        arms=[Arm("control", 2), Arm("banner", 1), Arm("banner-10", 1)],
        holdout=Decimal(holdout),
        primary_metric=Metric.CONVERSION,
        guardrails=[Metric.GROSS_MARGIN_PER_VISITOR, Metric.DISCOUNT_PER_VISITOR],
    )


def test_an_experiment_is_data() -> None:
    test = experiment("0.1")
    assert from_dict(to_dict(test), Experiment) == test
    with pytest.raises(ConfigError) as error:
        from_dict({"name": "x", "arms": [{"name": "a"}, {"name": "a"}]}, Experiment)
    assert "arm name 'a' appears twice" in str(error.value)
    with pytest.raises(ConfigError) as error:
        from_dict({"name": "x", "arms": [{"name": "a"}, {"name": "b"}], "holdout": "1"}, Experiment)
    assert "holdout" in str(error.value)
    with pytest.raises(ConfigError) as error:
        from_dict(
            {"name": "x", "arms": [{"name": "a"}, {"name": "b"}], "primary_metric": "x"}, Experiment
        )
    assert "primary_metric" in str(error.value)
    with pytest.raises(ValidationError) as invalid:
        Experiment(name="x", arms=[Arm("only")])
    assert invalid.value.field == "arms"


@settings(max_examples=40, deadline=None)
@given(
    st.text(min_size=1, max_size=20).filter(str.strip),
    st.text(min_size=1, max_size=20).filter(str.strip),
)
def test_assignment_is_deterministic(name, unit) -> None:
    test = Experiment(name=name, arms=[Arm("a"), Arm("b", 3)], holdout=Decimal("0.2"))
    assert test.assign(unit) == test.assign(unit)
    assert test.assign(unit) in ("a", "b", None)


@settings(max_examples=15, deadline=None)
@given(
    st.text(min_size=1, max_size=10).filter(str.strip),
    st.lists(st.integers(1, 5), min_size=2, max_size=4),
    st.sampled_from(["0", "0.1", "0.5"]),
)
def test_assignment_is_within_weights(name, weights, holdout) -> None:
    arms = [Arm(f"arm{i}", weight) for i, weight in enumerate(weights)]
    test = Experiment(name=name, arms=arms, holdout=Decimal(holdout))
    n = 8000
    seen = Counter(test.assign(f"u{i}") for i in range(n))
    # each share within 5 standard errors of what the holdout and weights say
    share = float(holdout)
    expected = {None: share} | {arm.name: (1 - share) * arm.weight / sum(weights) for arm in arms}
    for key, p in expected.items():
        margin = 5 * math.sqrt(max(p * (1 - p), 1e-12) / n)
        assert abs(seen[key] / n - p) <= margin + 1e-9


def test_changing_the_holdout_moves_no_unit_between_arms() -> None:
    wide, narrow = experiment("0.3"), experiment("0.1")
    for i in range(2000):
        arm = wide.assign(f"u{i}")
        if arm is not None:
            assert narrow.assign(f"u{i}") == arm


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_analysis_by_hand_sees_margin_given_away() -> None:
    counts = [
        ArmCounts(arm="control", units=2000, conversions=200, orders=210, revenue=gbp("10500"),
                  discount=gbp("0"), cost=gbp("6300")),
        ArmCounts(arm="banner", units=1000, conversions=115, orders=120, revenue=gbp("5880"),
                  discount=gbp("120"), cost=gbp("3600")),
        ArmCounts(arm="banner-10", units=1000, conversions=140, orders=150, revenue=gbp("6750"),
                  discount=gbp("750"), cost=gbp("4500")),
    ]  # fmt: skip
    result = analyse(experiment(), counts)
    control, banner, ten = result.arms
    # revenue per visitor: 10500/2000 = 5.25, 5880/1000 = 5.88, 6750/1000 = 6.75
    assert [str(r.revenue_per_visitor) for r in result.arms] == ["5.25 GBP", "5.88 GBP", "6.75 GBP"]
    # gross margin per visitor: (10500 − 6300)/2000 = 2.10, (5880 − 3600)/1000 = 2.28,
    # (6750 − 4500)/1000 = 2.25 — both above control; discount per visitor 0, 0.12, 0.75
    assert [str(r.gross_margin_per_visitor) for r in result.arms] == [
        "2.10 GBP",
        "2.28 GBP",
        "2.25 GBP",
    ]
    assert str(ten.discount_per_visitor) == "0.75 GBP"
    # AOV 10500/210 = 50.00, 5880/120 = 49.00, 6750/150 = 45.00
    assert str(ten.average_order_value) == "45.00 GBP"
    # units 2000/1000/1000 against weights 2/1/1: no mismatch (χ² = 0)
    assert result.sample_ratio.statistic == 0.0
    # conversion tests against control: banner 0.115 vs 0.10, banner-10 0.14 vs 0.10
    assert banner.test is not None
    assert ten.test is not None
    expected = proportions_ztest([115, 200], [1000, 2000])
    assert banner.test.statistic == pytest.approx(expected[0], abs=TOL)
    # Holm over the two: the smaller p doubled, the larger kept (at least the first)
    low, high = sorted([banner.test.p_value, ten.test.p_value])
    assert banner.adjusted_p_value is not None
    assert ten.adjusted_p_value is not None
    assert sorted([banner.adjusted_p_value, ten.adjusted_p_value]) == pytest.approx(
        [min(1, 2 * low), max(min(1, 2 * low), high)]
    )
    # both treatments discount more than control: the discount guardrail flags them
    assert result.guardrail_breaches == (
        ("banner", Metric.DISCOUNT_PER_VISITOR),
        ("banner-10", Metric.DISCOUNT_PER_VISITOR),
    )
    assert control.test is None


def test_analysis_refuses_counts_that_do_not_fit() -> None:
    counts = [ArmCounts(arm="control", units=10, conversions=1)]
    with pytest.raises(ValidationError) as error:
        analyse(experiment(), counts)
    assert error.value.field == "counts"
    with pytest.raises(ValidationError) as error:
        analyse(experiment(), [*counts, ArmCounts(arm="other", units=1, conversions=0)])
    assert error.value.field == "counts[1].arm"
    with pytest.raises(ValidationError) as error:
        ArmCounts(arm="control", units=10, conversions=11)
    assert error.value.field == "conversions"


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_two_proportion_results_are_well_formed(a, b) -> None:
    (ca, na), (cb, nb) = a, b
    if ca + cb in (0, na + nb):  # all converted or none: the test has no variance
        with pytest.raises(ValidationError):
            two_proportion_test(ca, na, cb, nb)
        return
    result = two_proportion_test(ca, na, cb, nb)
    assert 0 <= result.p_value <= 1
    assert result.low <= result.difference <= result.high
    assert result.difference == pytest.approx(cb / nb - ca / na)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_adjusted_p_values_are_at_least_the_raw_ones_and_keep_their_order(values) -> None:
    for method in ("holm", "benjamini-hochberg"):
        adjusted = adjust_p_values(values, method)
        assert all(
            raw <= fixed + 1e-12 <= 1 + 1e-12 for raw, fixed in zip(values, adjusted, strict=True)
        )
        ranked = sorted(range(len(values)), key=lambda i: values[i])
        assert all(adjusted[i] <= adjusted[j] + 1e-12 for i, j in itertools.pairwise(ranked))
    # Holm is never less strict than Benjamini–Hochberg
    holm, bh = adjust_p_values(values, "holm"), adjust_p_values(values, "benjamini-hochberg")
    assert all(h >= f - 1e-12 for h, f in zip(holm, bh, strict=True))
