"""The rule ids the code raises or reads by itself, in one place.

Every other rule is known only through its file in ``rules/``. Each constant is named after its rule file:
``UNREADABLE = "P001"`` is ``rules/P001-unreadable.yaml`` (``tests/test_rule_ids.py`` holds both to it, and
fails on any rule id written in ``checker/`` that has no file in ``rules/``).
"""

from __future__ import annotations

# reading (P): the file itself
UNREADABLE = "P001"
UNSUPPORTED = "P002"
NO_REPORT = "P003"
LEGACY = "P004"
CELLS_UNREADABLE = "P005"

# structure (S) and edition (E) problems found while reading the tables
TABLE_SHAPE = "S202"
LABEL_WORDING = "S203"
EDITION_MIXED = "E102"

# arithmetic identities whose findings are combined where they cross (engine.localise, batch outputs)
INTAKE_BALANCE = "A101"
OUTCOME_TOTAL = "A102"
APPLICANT_TOTAL = "A103"
REVIEW_TOTAL = "A201"

# across years (batch)
CARRY_OVER = "X101"
ITEMS_CHAIN = "X102"
DUPLICATE_TEXT = "X103"
IN_FORCE_CHAIN = "X104"
DUPLICATE_REPORT = "X105"
