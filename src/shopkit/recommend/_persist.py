"""Saving and loading fitted models: one ``.npz`` file of plain arrays and a JSON config.

The one place that knows the file format (``shopkit.recommend/1``); nothing is pickled.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from shopkit import Catalogue, ConfigError, Product, ShopkitError, from_json, to_json
from shopkit.recommend._base import Recommender

__all__ = ["load_model", "save_model"]

_FORMAT = "shopkit.recommend/1"


def save_model(model: Recommender, path: str | Path) -> None:
    """Save a fitted model: its config as JSON and its arrays, in one ``.npz`` file.

    Nothing is pickled: ``load_model`` reads plain arrays and the JSON config only.

    Args:
        model: The fitted strategy.
        path: The file to write.

    Raises:
        NotFittedError: the strategy was not fitted.
    """
    model._check_fitted()
    arrays = {f"model.{key}": value for key, value in model._all_state().items()}
    meta = {"format": _FORMAT, "config": json.loads(to_json(model, indent=None))}
    if model.catalogue_ is not None:
        meta["catalogue"] = json.loads(to_json(model.catalogue_.products, indent=None))
    arrays["meta"] = np.array(json.dumps(meta))
    with Path(path).open("wb") as handle:
        np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]


def load_model(path: str | Path) -> Recommender:
    """Load a model that ``save_model`` wrote.

    Args:
        path: The ``.npz`` file.

    Returns:
        The fitted strategy, ready to recommend.

    Raises:
        ConfigError: the file is not a saved shopkit model, or its config names an unknown
            strategy type.
    """
    try:
        # the file is opened here, so that it is closed even when numpy cannot read it
        with open(Path(path), "rb") as handle, np.load(handle, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        raise ConfigError(
            f"cannot read a saved model from {path}: {error}", field="path", value=str(path)
        ) from None
    if "meta" not in arrays:
        raise ConfigError(f"{path} is not a saved shopkit model", field="path", value=str(path))
    try:
        return _restore(arrays, path)
    except ShopkitError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # a file changed after it was saved: its JSON or its arrays no longer fit
        detail = f"{type(error).__name__}: {error}"
        raise ConfigError(
            f"{path} is a damaged or tampered model ({detail})", field="path", value=str(path)
        ) from None


def _restore(arrays: dict[str, Any], path: str | Path) -> Recommender:
    meta = json.loads(str(arrays["meta"]))
    if not isinstance(meta, dict):
        raise ConfigError(f"{path} has no model description", field="meta", value=str(path))
    if meta.get("format") != _FORMAT:
        raise ConfigError(
            f"{path} has format {meta.get('format')!r}, not {_FORMAT!r}",
            field="format",
            value=meta.get("format"),
        )
    model = from_json(json.dumps(meta["config"]), Recommender)
    catalogue = None
    if "catalogue" in meta:
        catalogue = Catalogue(from_json(json.dumps(meta["catalogue"]), tuple[Product, ...]))
    state = {key.removeprefix("model."): value for key, value in arrays.items() if key != "meta"}
    model._restore_all(state, catalogue)
    return model
