"""What a strategy author needs: the base class, the resolved request, scores and the registry.

A new strategy subclasses ``Recommender`` as an ``attrs.define(kw_only=True)`` class, registers
it in ``recommenders`` under a type name (or through the ``shopkit.recommenders`` entry-point
group), learns its state in ``fit_model`` and scores a ``Resolved`` request in ``score``,
returning ``Scores``. ``shopkit.testing.recommend.RecommenderContract`` proves it keeps the
promises the built-in strategies keep. A shop calling strategies needs ``shopkit.recommend``
only.

Examples:
    >>> import attrs
    >>> import numpy as np
    >>> from shopkit.recommend.plugin import Recommender, Resolved, Scores, recommenders
    >>> @attrs.define(kw_only=True)
    ... class Everything(Recommender):
    ...     def fit_model(self, interactions):
    ...         pass
    ...     def score(self, resolved: Resolved) -> Scores:
    ...         return Scores.of(np.ones(len(self.items_)), self)
    >>> "everything" in recommenders.names()
    False
"""

from shopkit.recommend._base import Recommender, Scores, recommenders
from shopkit.recommend._request import Resolved

__all__ = ["Recommender", "Resolved", "Scores", "recommenders"]
