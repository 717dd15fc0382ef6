"""Loading what KPIs read from the core's order files (``shopkit.datasets``).

``load_orders`` reads either layout ``shopkit.datasets`` knows: the plain orders CSV, or the
UCI Online Retail layout, whose cancellation invoices become ``Refunds`` (by refund date: the
data names no original invoice). The layout is told from the header.
"""

from __future__ import annotations

from pathlib import Path

from shopkit import datasets
from shopkit.errors import ValidationError
from shopkit.metrics._inputs import Refunds, ShopData

__all__ = ["load_orders"]


def load_orders(path: str | Path) -> ShopData:
    """Read an orders file (plain layout or Online Retail) as ``ShopData``.

    Args:
        path: The CSV file, gzipped or not.

    Returns:
        The orders, and for Online Retail its refunds.

    Raises:
        ValidationError: the file cannot be read or is in neither layout (as the readers say).
    """
    try:
        retail = datasets.read_online_retail(path)
    except ValidationError as error:
        if error.field != "header":
            raise
        return ShopData(orders=datasets.read_orders(path).orders)
    return ShopData(orders=retail.orders, refunds=Refunds.from_table(retail.refunds))
