"""Shared test settings: where the shared corpus of real reports is (beside the checkout, read-only).

The corpus is not part of the repository: tests that read it skip cleanly when it is absent. Spell its path
only here: ``from conftest import SHARED_CORPUS`` at module level (for parametrising), or the ``shared_corpus``
fixture, which skips the test when the corpus is not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("the shared corpus (../shared/corpus) is not available")
    return SHARED_CORPUS
