"""The readers of order files (shopkit.datasets), and what a plain install imports."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shopkit import Money, ValidationError
from shopkit.datasets import read_online_retail, read_orders

HEADER = "order_id,at,customer,sku,quantity,unit_price,currency,discount,channel,region\n"
ROWS = [
    "o1,2024-05-01T12:30:00+00:00,c1,MUG,2,6.50,GBP,1.00,web,UK",
    "o1,2024-05-01T12:30:00+00:00,c1,TEA,1,3.25,GBP,,web,UK",
    "",
    "o2,2024-05-02T09:00:00+02:00,,KETTLE,1,30,EUR,,app,",
    "o2,2024-05-02T09:00:00+02:00,,MUG,0,6.50,EUR,,app,",
    "o3,2024-05-03T10:00:00+00:00,c2,JPY-CUP,3,500,JPY,50,,JP",
]


def write(folder: Path, text: str | bytes, name: str = "orders.csv") -> Path:
    path = folder / name
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


@pytest.mark.parametrize("name", ["orders.csv", "orders.csv.gz"])
def test_read_orders_reads_the_plain_layout_and_counts_what_it_drops(
    tmp_path: Path, name: str
) -> None:
    result = read_orders(write(tmp_path, HEADER + "\n".join(ROWS) + "\n", name))
    assert dict(result.dropped) == {"blank": 1, "zero_quantity": 1}
    table = result.orders
    assert table.orders == ("o1", "o2", "o3")
    assert table.skus == ("MUG", "TEA", "KETTLE", "JPY-CUP")
    assert table.currencies == ("GBP", "EUR", "JPY")
    # MUG 2 × 650 − 100 = 1200; TEA 325; KETTLE 3000 cents; JPY-CUP 3 × 500 − 50 = 1450 yen
    assert table.line_total().tolist() == [1200, 325, 3000, 1450]
    assert table.revenue() == {
        "GBP": Money.of("15.25", "GBP"),
        "EUR": Money.of("30.00", "EUR"),
        "JPY": Money.of("1450", "JPY"),
    }
    assert table.customers == ("c1", "c2")
    assert table.customer.tolist() == [0, 0, -1, 1]
    assert table.channels == ("web", "app")
    assert table.region.tolist() == [0, 0, -1, 1]
    # 09:00 at +02:00 is 07:00 UTC
    assert table.at[2] == int(dt.datetime(2024, 5, 2, 7, 0, tzinfo=dt.UTC).timestamp())


def test_read_orders_takes_the_columns_in_any_order_and_without_the_optional_ones(
    tmp_path: Path,
) -> None:
    text = "sku,currency,unit_price,quantity,at,order_id\nMUG,GBP,6.50,1,2024-05-01T12:30:00Z,o1\n"
    table = read_orders(write(tmp_path, text)).orders
    assert table.line_total().tolist() == [650]
    assert table.customer.tolist() == [-1]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,two,6.50,GBP,,,", "quantity", "line 2: 'two'"),
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,-1,6.50,GBP,,,", "quantity", "line 2: '-1'"),
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,1,6.505,GBP,,,", "unit_price", "more decimals"),
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,1,-6.50,GBP,,,", "unit_price", "line 2"),
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,1,6.50,XYZ,,,", "currency", "XYZ"),
        ("o1,2024-05-01 12:30:00,c1,MUG,1,6.50,GBP,,,", "at", "no UTC offset"),
        ("o1,yesterday,c1,MUG,1,6.50,GBP,,,", "at", "ISO 8601"),
        (",2024-05-01T12:30:00+00:00,c1,MUG,1,6.50,GBP,,,", "order_id", "empty"),
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,1,6.50", "row", "has 6 columns, not 10"),
        ("o1,2024-05-01T12:30:00+00:00,c1,MUG,1,6.50,GBP,7.00,,", "discount[0]", "more than"),
    ],
)
def test_a_bad_row_names_its_line_and_field(
    tmp_path: Path, row: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        read_orders(write(tmp_path, HEADER + row + "\n"))
    assert caught.value.field == field


def test_a_file_that_cannot_be_read_is_a_validation_error(tmp_path: Path) -> None:
    for reader in (read_orders, read_online_retail):
        with pytest.raises(ValidationError, match="No such file") as caught:
            reader(tmp_path / "missing.csv")
        assert caught.value.field == "path"
        with pytest.raises(ValidationError, match="Is a directory") as caught:
            reader(tmp_path)
        assert caught.value.field == "path"
        broken = write(tmp_path, b"\x1f\x8b\x08\x00broken", "broken.csv")
        with pytest.raises(ValidationError, match="not a readable gzip file"):
            reader(broken)
        latin = write(tmp_path, HEADER.encode() + "o1,caf\xe9\n".encode("latin-1"), "latin.csv")
        with pytest.raises(ValidationError, match=r"line 2 is not UTF-8 \(byte 0xe9\)") as caught:
            reader(latin)
        assert caught.value.value == 2


def test_a_bad_header_lists_the_columns(tmp_path: Path) -> None:
    missing = "order_id,at,sku,quantity,unit_price\n"
    with pytest.raises(ValidationError, match="lacks currency") as caught:
        read_orders(write(tmp_path, missing))
    assert caught.value.field == "header"
    with pytest.raises(ValidationError, match="unknown columns colour"):
        read_orders(write(tmp_path, HEADER.strip() + ",colour\n"))
    with pytest.raises(ValidationError, match="repeats a column"):
        read_orders(write(tmp_path, HEADER.strip() + ",region\n"))
    with pytest.raises(ValidationError, match="lacks"):
        read_orders(write(tmp_path, ""))


RETAIL = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def test_online_retail_keeps_product_cancellations_as_refunds(tmp_path: Path) -> None:
    rows = [
        "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
        "C536366,85123A,WHITE HANGING HEART,-2,2010-12-02 09:00:00,2.55,17850.0,United Kingdom",
        "C536367,D,Discount,-1,2010-12-02 09:00:00,27.50,14527.0,United Kingdom",
        "C536368,22423,REGENCY CAKESTAND 3 TIER,-1,2010-12-03 10:00:00,12.75,,France",
    ]
    result = read_online_retail(write(tmp_path, RETAIL + "\n".join(rows) + "\n", "r.csv.gz"))
    assert dict(result.dropped) == {
        "cancellation": 3,  # all three C invoices are not orders
        "non_positive_quantity": 0,
        "non_positive_price": 0,
        "non_product": 0,
    }
    assert result.orders.line_total().tolist() == [1530]  # 6 × 2.55
    refunds = result.refunds  # the discount line D is not a product: in neither table
    assert refunds.orders == ("C536366", "C536368")
    assert refunds.skus == ("85123A", "22423")
    assert refunds.quantity.tolist() == [2, 1]  # units returned, positive
    assert refunds.revenue() == {"GBP": Money.of("17.85", "GBP")}  # 2 × 2.55 + 12.75
    assert refunds.customers == ("17850",)
    assert refunds.customer.tolist() == [0, -1]


def test_online_retail_names_a_bad_date_or_price_by_line(tmp_path: Path) -> None:
    good = "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom"
    bad_date = good.replace("2010-12-01 08:26:00", "the first of December")
    with pytest.raises(ValidationError, match="line 3: 'the first of December'") as caught:
        read_online_retail(write(tmp_path, RETAIL + good + "\n" + bad_date + "\n"))
    assert caught.value.field == "InvoiceDate"
    bad_price = good.replace("2.55", "2.555")
    with pytest.raises(ValidationError, match=r"line 2: .*more decimals") as caught:
        read_online_retail(write(tmp_path, RETAIL + bad_price + "\n"))
    assert caught.value.field == "UnitPrice"


def fresh(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def test_money_the_cart_and_pricing_import_without_numpy_or_scipy() -> None:
    out = fresh(
        """
        import sys
        import shopkit, shopkit.pricing
        from shopkit import Catalogue, Order, sample_catalogue
        Catalogue(sample_catalogue())
        print(sorted(name for name in ("numpy", "scipy") if name in sys.modules))
        shopkit.OrderTable  # the columnar tables load numpy on first use
        print("numpy" in sys.modules)
        """
    )
    assert out.splitlines() == ["[]", "True"]


def test_recommend_without_numpy_names_the_extra_to_install() -> None:
    out = fresh(
        """
        import sys
        sys.modules["numpy"] = None  # as if numpy were not installed
        import shopkit
        try:
            import shopkit.recommend
        except ImportError as error:
            print(error)
        try:
            shopkit.OrderTable
        except ImportError as error:
            print(error)
        """
    )
    assert out.splitlines() == [
        'shopkit.recommend needs numpy and scipy: pip install "shopkit[recommend]"',
        'shopkit.OrderTable and shopkit.EventTable need numpy: pip install "shopkit[data]"',
    ]
