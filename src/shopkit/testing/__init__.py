"""shopkit.testing: hypothesis strategies and contract tests shipped for plugin authors.

Install with the ``testing`` extra (``pip install "shopkit[testing]"``, which brings pytest and
hypothesis). A plugin author proves a new kind behaves by running the contract that shopkit's own
built-in kinds pass:

- ``shopkit.testing.strategies``: hypothesis strategies for money, products, carts and customers;
- ``shopkit.testing.pricing``: contracts for selectors, conditions, benefits and redemption stores,
  and strategies for promotions;
- ``shopkit.testing.recommend``: the recommender contract (needs ``shopkit[recommend]``).

Nothing in shopkit imports this package; it imports the parts it tests.
"""

__all__: list[str] = []
