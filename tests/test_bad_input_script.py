"""The bad-input script: every one of its inputs gets a clean shopkit error and changes nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "bad_input.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bad_input_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_bad_input_gets_a_clean_error_and_changes_nothing() -> None:
    script = _script()
    counts = script.run()
    line = script.summary(counts)
    # at least 150 distinct inputs; B = C = E = 0, and none is silently accepted
    assert counts["N"] >= 150, line
    assert (counts["B"], counts["C"], counts["D"], counts["E"]) == (0, 0, 0, 0), line
    assert counts["A"] == counts["N"]
    assert line.startswith(
        f"{counts['N']} inputs: {counts['N']} clean errors naming field and value"
    )
