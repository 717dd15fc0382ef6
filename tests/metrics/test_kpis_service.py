"""NPS, CSAT, CES, first-contact resolution and delivery KPIs, worked by hand."""

from __future__ import annotations

import pytest

from shopkit import ValidationError
from shopkit.metrics import (
    CustomerEffortScore,
    CustomerSatisfaction,
    Deliveries,
    DeliveryTime,
    FirstContactResolution,
    NetPromoterScore,
    OnTimeDelivery,
    ShopData,
    Survey,
    Tickets,
    Window,
)

DAY = 86_400


def test_nps_csat_and_ces() -> None:
    data = ShopData(
        surveys=[
            # promoters 10, 9, 9; passives 8, 7; detractors 6, 0 → (3 − 2) / 7
            Survey(scale="nps", at=[0] * 7, score=[10, 9, 9, 8, 7, 6, 0]),
            # satisfied (4 or 5): 5, 4, 4 of 5 answers → 0.6; from 5 only: 1 / 5
            Survey(scale="csat", at=[0] * 5, score=[5, 4, 4, 3, 1]),
            # effort: (7 + 6 + 2) / 3 = 5.0
            Survey(scale="ces", at=[0, 0, DAY], score=[7, 6, 2]),
        ]
    )
    assert NetPromoterScore().compute(data) == pytest.approx(1 / 7)
    assert CustomerSatisfaction().compute(data) == 0.6
    assert CustomerSatisfaction(satisfied_from=5).compute(data) == 0.2
    assert CustomerEffortScore().compute(data) == 5.0
    # the first day only: (7 + 6) / 2 = 6.5
    assert CustomerEffortScore().compute(data, Window(0, DAY)) == 6.5
    # no answers: not defined
    assert NetPromoterScore().compute(ShopData()) is None


def test_first_contact_resolution() -> None:
    # resolved: contacts 1, 1, 3 → 2 / 3; the open ticket (1 contact) is not counted
    tickets = Tickets(at=[0, 0, 0, 0], contacts=[1, 1, 3, 1], resolved=[1, 1, 1, 0])
    assert FirstContactResolution().compute(ShopData(tickets=tickets)) == pytest.approx(2 / 3)


def test_on_time_delivery_and_delivery_time() -> None:
    # p1: 1 day, promised 2 (on time); p2: 3 days, promised 2 (late); p3: on its way
    deliveries = Deliveries(
        shipped=[0, 0, 0], promised=[2 * DAY, 2 * DAY, 2 * DAY], delivered=[DAY, 3 * DAY, -1]
    )
    data = ShopData(deliveries=deliveries)
    assert OnTimeDelivery().compute(data) == 0.5  # 1 of the 2 delivered
    assert DeliveryTime().compute(data) == 2 * DAY  # (1 + 3) / 2 days, in seconds


def test_bad_records_name_the_field_and_value() -> None:
    with pytest.raises(ValidationError, match=r"score\[1\]: 11 is not between 0 and 10"):
        Survey(scale="nps", at=[0, 0], score=[3, 11])
    with pytest.raises(ValidationError, match="scale"):
        Survey(scale="stars", at=[0], score=[3])
    with pytest.raises(ValidationError, match=r"contacts\[0\]"):
        Tickets(at=[0], contacts=[0], resolved=[1])
    with pytest.raises(ValidationError, match="delivered before it was shipped"):
        Deliveries(shipped=[DAY], promised=[2 * DAY], delivered=[0])
    with pytest.raises(ValidationError, match="has 1 entries, not 2"):
        Tickets(at=[0, 0], contacts=[1], resolved=[1, 1])
