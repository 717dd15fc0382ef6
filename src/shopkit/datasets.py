"""Readers for order files: a plain orders CSV layout, and the UCI Online Retail layout.

Both read a CSV file (gzipped or not, UTF-8) into a ``shopkit.OrderTable`` and count what they
leave out, by reason. A file that cannot be read — missing, a directory, not UTF-8, a wrong
header, a row that does not parse — is a ``ValidationError`` naming the path, the header or the
line. ``read_orders`` documents the plain layout.

This module needs numpy (``pip install "shopkit[data]"``) and imports the core only.
"""

from shopkit._readers import OrdersData, RetailData, read_online_retail, read_orders

__all__ = ["OrdersData", "RetailData", "read_online_retail", "read_orders"]
