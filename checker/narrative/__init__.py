"""The narrative against the tables: counts stated in sections 一 and 四–六, checked against table cells and
against each other (C102–C109).

``grammar`` turns sentences into claims with a pattern grammar kept as data (grammars/narrative.yaml);
``tables`` reads the quantities a claim can be compared with (a group of rows, a row whose 总计 is blank, the
two 行政诉讼 rows …); ``rules`` holds the registered named checks.
"""

from __future__ import annotations

from .grammar import Claim, Sentence, claims_of

__all__ = ["Claim", "Sentence", "claims_of"]
