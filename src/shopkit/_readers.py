"""Readers for order files (``shopkit.datasets``): a plain orders CSV layout and Online Retail.

Both read a CSV file (gzipped or not, UTF-8) into an ``OrderTable`` and say what they left
out: every row that is not in the result is counted, by reason, in ``dropped``. A file that
cannot be read — missing, a directory, not UTF-8, a wrong header, a row that does not parse —
is a ``ValidationError`` naming the path, the header or the line, never a bare exception.

The plain layout is one row per order line, with a header naming the columns in any order::

    order_id,at,customer,sku,quantity,unit_price,currency,discount,channel,region,segment
    o-1001,2024-05-01T12:30:00+00:00,c-42,MUG-1,2,6.50,GBP,1.00,web,UK,regular

``order_id``, ``at``, ``sku``, ``quantity``, ``unit_price`` and ``currency`` are required;
``customer``, ``discount``, ``channel``, ``region`` and ``segment`` are optional columns, and
an empty cell means none (no discount: zero). ``at`` is ISO 8601 with a UTC offset; amounts are
decimals with at most the currency's decimals; ``quantity`` is a whole number, and a line of 0
units is dropped (``zero_quantity``), as is a blank line (``blank``).

This module needs numpy (``pip install "shopkit[data]"``). It imports the core only.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

import attrs
import numpy as np

from shopkit._money import Money
from shopkit._tables import OrderTable
from shopkit.errors import ShopkitError, ValidationError

__all__ = ["OrdersData", "RetailData", "read_online_retail", "read_orders"]


def _rows(path: str | Path) -> Iterator[list[str]]:
    """The CSV rows of a file, gzipped or not, decoded as UTF-8 (errors name the line)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValidationError(
            f"cannot read {path}: {error.strerror or error}", field="path", value=str(path)
        ) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValidationError(
                f"{path} is not a readable gzip file: {error}", field="path", value=str(path)
            ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValidationError(
            f"line {line} is not UTF-8 (byte {raw[error.start]:#04x})", field="row", value=line
        ) from None
    return csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))


def _bad(line: int, message: str, field: str = "row", value: object = None) -> ValidationError:
    return ValidationError(
        f"line {line}: {message}", field=field, value=line if value is None else value
    )


@attrs.frozen(eq=False)
class OrdersData:
    """What ``read_orders`` read: the order lines, and what it left out.

    Attributes:
        orders: One row per order line kept.
        dropped: How many rows were left out, by reason (``blank``, ``zero_quantity``).
    """

    orders: OrderTable
    dropped: Mapping[str, int]


_REQUIRED: Final = ("order_id", "at", "sku", "quantity", "unit_price", "currency")
_OPTIONAL: Final = ("customer", "discount", "channel", "region", "segment")
_DIGITS: Final = re.compile(r"[0-9]+")


def read_orders(path: str | Path) -> OrdersData:
    r"""Read an orders file in the plain layout (see the module docstring) into an OrderTable.

    Rows are left out, and counted by reason in ``dropped``, when:

    - ``blank``: the line is empty;
    - ``zero_quantity``: the quantity is 0 (a line cancelled before it shipped).

    Args:
        path: The file (``.csv``, or gzipped).

    Returns:
        The order lines and the dropped counts.

    Raises:
        ValidationError: the file cannot be read, its header lacks a required column or has an
            unknown or repeated one, or a row does not parse (the error names the line).

    Examples:
        >>> import pathlib, tempfile
        >>> from shopkit.datasets import read_orders
        >>> text = (
        ...     "order_id,at,sku,quantity,unit_price,currency,discount\n"
        ...     "o1,2024-05-01T12:30:00+00:00,MUG-1,2,6.50,GBP,1.00\n"
        ...     "o1,2024-05-01T12:30:00+00:00,TEA-2,0,3.00,GBP,\n"
        ... )
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder, "orders.csv")
        ...     _ = path.write_text(text, encoding="utf-8")
        ...     data = read_orders(path)
        >>> data.orders.line_total().tolist(), dict(data.dropped)
        ([1200], {'blank': 0, 'zero_quantity': 1})
    """
    rows = _rows(path)
    header = [name.strip() for name in next(rows, [])]
    missing = [name for name in _REQUIRED if name not in header]
    unknown = [name for name in header if name not in _REQUIRED + _OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        problem = (
            f"lacks {', '.join(missing)}"
            if missing
            else f"has unknown columns {', '.join(unknown)}"
            if unknown
            else "repeats a column"
        )
        raise ValidationError(
            f"the header {problem}; the columns are {', '.join(_REQUIRED + _OPTIONAL)}",
            field="header",
            value=header,
        )
    where = {name: header.index(name) for name in header}
    dropped = {"blank": 0, "zero_quantity": 0}
    names: dict[str, dict[str, int]] = {
        key: {}
        for key in ("orders", "skus", "currencies", "customers", "channels", "regions", "segments")
    }
    columns: dict[str, list[int]] = {
        key: []
        for key in (
            "order",
            "sku",
            "quantity",
            "unit_price",
            "discount",
            "currency",
            "at",
            "customer",
            "channel",
            "region",
            "segment",
        )
    }

    def index(vocabulary: str, name: str) -> int:
        found = names[vocabulary]
        return found.setdefault(name, len(found)) if name else -1

    for line, row in enumerate(rows, start=2):
        if not row or all(not cell.strip() for cell in row):
            dropped["blank"] += 1
            continue
        if len(row) != len(header):
            raise _bad(line, f"has {len(row)} columns, not {len(header)}")
        cell = {name: row[position].strip() for name, position in where.items()}
        for name in ("order_id", "sku"):
            if not cell[name]:
                raise _bad(line, f"{name} is empty", field=name, value="")
        quantity_text = cell["quantity"]
        if not _DIGITS.fullmatch(quantity_text):
            raise _bad(line, f"{quantity_text!r} is not a whole number", "quantity", quantity_text)
        quantity = int(quantity_text)
        if quantity == 0:
            dropped["zero_quantity"] += 1
            continue
        try:
            price = Money.of(cell["unit_price"], cell["currency"])
            discount = Money.of(cell.get("discount") or "0", cell["currency"])
        except ShopkitError as error:
            column = "currency" if error.code == "currency" else "unit_price"
            raise _bad(line, error.message, column, error.value) from None
        if price.minor < 0 or discount.minor < 0:
            raise _bad(line, "amounts are not negative", "unit_price", cell["unit_price"])
        try:
            at = dt.datetime.fromisoformat(cell["at"])
        except ValueError:
            raise _bad(line, f"{cell['at']!r} is not an ISO 8601 date-time", "at") from None
        if at.tzinfo is None:
            raise _bad(line, f"{cell['at']!r} has no UTC offset", "at", cell["at"])
        columns["order"].append(index("orders", cell["order_id"]))
        columns["sku"].append(index("skus", cell["sku"]))
        columns["quantity"].append(quantity)
        columns["unit_price"].append(price.minor)
        columns["discount"].append(discount.minor)
        columns["currency"].append(index("currencies", price.currency))
        columns["at"].append(int(at.timestamp()))
        for name, vocabulary in (
            ("customer", "customers"),
            ("channel", "channels"),
            ("region", "regions"),
            ("segment", "segments"),
        ):
            columns[name].append(index(vocabulary, cell.get(name, "")))
    try:
        table = OrderTable(
            **{key: tuple(found) for key, found in names.items()},
            **{key: np.asarray(values, dtype=np.int64) for key, values in columns.items()},
        )
    except OverflowError:
        raise ValidationError(
            "an amount does not fit in 64 bits", field="unit_price", value=None
        ) from None
    return OrdersData(table, dropped)


_PRODUCT_CODE: Final = re.compile(r"^\d{5}[A-Za-z]*$")
_RETAIL_HEADER: Final = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)


@attrs.frozen(eq=False)
class RetailData:
    """What ``read_online_retail`` read: the orders, the refunds and what it left out.

    Attributes:
        orders: The sales: one row per kept line, one order per invoice, in GBP.
        refunds: The cancellation invoices (``C…``) of products: one row per line, with the
            units returned as a positive quantity.
        dropped: How many rows are not in ``orders``, by reason (see ``read_online_retail``).
        descriptions: The last description seen for each stock code sold.
        prices: The most frequent unit price of each stock code sold, in GBP.
    """

    orders: OrderTable
    refunds: OrderTable
    dropped: Mapping[str, int]
    descriptions: Mapping[str, str]
    prices: Mapping[str, Money]


class _Builder:
    """The columns of one ``OrderTable`` of Online Retail rows, in GBP."""

    def __init__(self) -> None:
        self.invoices: dict[str, int] = {}
        self.skus: dict[str, int] = {}
        self.customers: dict[str, int] = {}
        self.regions: dict[str, int] = {}
        self.columns: dict[str, list[int]] = {
            key: [] for key in ("order", "sku", "quantity", "unit_price", "customer", "region")
        }
        self.dates: list[str] = []
        self.lines: list[int] = []

    def add(
        self, line: int, invoice: str, code: str, quantity: int, minor: int, date: str,
        customer: str, country: str,
    ) -> None:  # fmt: skip
        columns = self.columns
        columns["order"].append(self.invoices.setdefault(invoice, len(self.invoices)))
        columns["sku"].append(self.skus.setdefault(code, len(self.skus)))
        columns["quantity"].append(quantity)
        columns["unit_price"].append(minor)
        customer_id = customer.split(".", 1)[0].strip()
        columns["customer"].append(
            self.customers.setdefault(customer_id, len(self.customers)) if customer_id else -1
        )
        columns["region"].append(
            self.regions.setdefault(country, len(self.regions)) if country else -1
        )
        self.dates.append(date)
        self.lines.append(line)

    def table(self) -> OrderTable:
        try:
            at = np.array(self.dates, dtype="datetime64[s]").astype(np.int64)
        except ValueError:
            for line, date in zip(self.lines, self.dates, strict=True):
                try:
                    np.datetime64(date, "s")
                except ValueError:
                    raise _bad(line, f"{date!r} is not a date", "InvoiceDate", date) from None
            raise  # pragma: no cover - one of the dates failed above
        n = len(self.dates)
        return OrderTable(
            orders=tuple(self.invoices),
            skus=tuple(self.skus),
            currencies=("GBP",) if n else (),
            currency=np.zeros(n, dtype=np.int64),
            at=at,
            customers=tuple(self.customers),
            regions=tuple(self.regions),
            **{key: np.asarray(values, dtype=np.int64) for key, values in self.columns.items()},
        )


def read_online_retail(path: str | Path) -> RetailData:
    """Read the UCI Online Retail layout (CSV, optionally gzipped) into orders and refunds.

    The columns are ``InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,
    CustomerID,Country``. Rows are left out of ``orders``, and counted by reason in
    ``dropped``, when:

    - ``cancellation``: the invoice number starts with ``C`` (a refund); those that are product
      lines with a negative quantity and a positive price are kept in ``refunds`` instead;
    - ``non_positive_quantity``: the quantity is zero or negative;
    - ``non_positive_price``: the unit price is zero or negative;
    - ``non_product``: the stock code is not five digits and an optional letter suffix
      (``POST``, ``D``, ``M``, ``BANK CHARGES``, ``AMAZONFEE``, ``DCGS…``, ``gift_…``, ``C2``…).

    Each invoice becomes one order and each country a region; ``CustomerID`` (written as a
    float, ``17850.0``) becomes the customer id ``"17850"``, and rows without one are guests.
    Prices are GBP and dates are read as UTC. Source: Chen, Sain and Guo (2012), UCI Machine
    Learning Repository.

    Args:
        path: The file.

    Returns:
        The orders, the refunds, the dropped counts, descriptions and prices.

    Raises:
        ValidationError: the file cannot be read or does not have the layout (a row that does
            not parse is named by its line).
    """
    rows = _rows(path)
    header = next(rows, None)
    if header is None or tuple(name.strip() for name in header) != _RETAIL_HEADER:
        raise ValidationError(
            f"the header is {header!r}, not {','.join(_RETAIL_HEADER)}",
            field="header",
            value=header,
        )
    dropped = {"cancellation": 0, "non_positive_quantity": 0, "non_positive_price": 0}
    dropped["non_product"] = 0
    sales, refunds = _Builder(), _Builder()
    descriptions: dict[str, str] = {}
    price_counts: dict[str, dict[str, int]] = {}
    minor_of: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if len(row) != 8:
            raise ValidationError(
                f"line {line} has {len(row)} columns, not 8", field="row", value=line
            )
        invoice, code, description, quantity_text, date, price, customer, country = row
        try:
            quantity = int(quantity_text)
            positive_price = Decimal(price) > 0
        except (ValueError, ArithmeticError, InvalidOperation):
            raise ValidationError(
                f"line {line}: quantity {quantity_text!r} or price {price!r} is not a number",
                field="row",
                value=line,
            ) from None
        cancelled = invoice.startswith("C")
        if cancelled:
            dropped["cancellation"] += 1
            if quantity < 0 and positive_price and _PRODUCT_CODE.match(code):
                minor = _minor(price, minor_of, line)
                refunds.add(line, invoice, code, -quantity, minor, date, customer, country)
            continue
        if quantity <= 0:
            dropped["non_positive_quantity"] += 1
            continue
        if not positive_price:
            dropped["non_positive_price"] += 1
            continue
        if not _PRODUCT_CODE.match(code):
            dropped["non_product"] += 1
            continue
        sales.add(
            line, invoice, code, quantity, _minor(price, minor_of, line), date, customer, country
        )
        descriptions[code] = description.strip()
        counts = price_counts.setdefault(code, {})
        counts[price] = counts.get(price, 0) + 1
    prices = {code: Money(_modal(counts, minor_of), "GBP") for code, counts in price_counts.items()}
    return RetailData(sales.table(), refunds.table(), dropped, descriptions, prices)


def _minor(price: str, known: dict[str, int], line: int) -> int:
    """A GBP price as pence, exactly (a price with more than 2 decimals names its line)."""
    found = known.get(price)
    if found is None:
        try:
            found = Money.of(price, "GBP").minor
        except ShopkitError as error:
            raise _bad(line, error.message, "UnitPrice", price) from None
        known[price] = found
    return found


def _modal(counts: Mapping[str, int], minor_of: Mapping[str, int]) -> int:
    """The most frequent price in pence; ties go to the lower price."""
    return min(minor_of[price] for price in _most_frequent(counts))


def _most_frequent(counts: Mapping[str, int]) -> Sequence[str]:
    top = max(counts.values())
    return [price for price, count in counts.items() if count == top]
