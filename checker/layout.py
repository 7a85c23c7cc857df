"""The canonical layout of the template: its six sections and its three tables, per edition (docs/keys.md).

Neutral facts only (keys, never wording): the wording of every key is in ``checker.labels``."""

from __future__ import annotations

EDITIONS = ("2019", "2021")

APP_COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
APPLICANT_COLUMNS = APP_COLUMNS[:-1]

_DENIED = tuple(
    f"results.denied.{k}"
    for k in (
        "state_secret",
        "law_forbidden",
        "safety_stability",
        "third_party",
        "internal_affairs",
        "process_info",
        "enforcement_file",
        "admin_query",
    )
)
_UNAVAILABLE = tuple(f"results.unavailable.{k}" for k in ("not_held", "needs_creation", "unclear"))
_NOT_PROCESSED = tuple(
    f"results.not_processed.{k}" for k in ("petition", "duplicate", "publication", "excessive", "confirmation")
)
_OTHER_2021 = ("results.other.no_correction", "results.other.unpaid_fee", "results.other.misc")

OUTCOME_ROWS: dict[str, tuple[str, ...]] = {
    "2019": ("results.granted", "results.partial", *_DENIED, *_UNAVAILABLE, *_NOT_PROCESSED, "results.other"),
    "2021": ("results.granted", "results.partial", *_DENIED, *_UNAVAILABLE, *_NOT_PROCESSED, *_OTHER_2021),
}

APP_ROWS: dict[str, tuple[str, ...]] = {
    ed: ("received_new", "carried_over", *OUTCOME_ROWS[ed], "results.total", "carried_forward") for ed in EDITIONS
}

REVIEW_ROWS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

# block -> (rows, columns)
ACTIVE: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "2019": {
        "art20_1": (("rules", "normative_docs"), ("made", "published", "total_public")),
        "art20_5": (("licensing", "other_services"), ("prev_items", "change", "decisions")),
        "art20_6": (("penalty", "coercion"), ("prev_items", "change", "decisions")),
        "art20_8": (("fees",), ("prev_items", "change")),
        "art20_9": (("procurement",), ("items", "amount")),
    },
    "2021": {
        "art20_1": (("rules", "normative_docs"), ("issued", "repealed", "in_force")),
        "art20_5": (("licensing",), ("decisions",)),
        "art20_6": (("penalty", "coercion"), ("decisions",)),
        "art20_8": (("fees",), ("amount",)),
    },
}

# The section each table stands in.
# The report's six sections, in the template's order, and the table that stands in each of three of them.
SECTION_KEYS = ("一", "二", "三", "四", "五", "六")
TABLE_SECTION = {"active": "二", "applications": "三", "review": "四"}
SECTION_TABLES = {section: table for table, section in TABLE_SECTION.items()}

# Columns holding decimals (money) rather than counts, and columns that may be negative.
DECIMAL_COLUMNS = frozenset({"amount"})
SIGNED_COLUMNS = frozenset({"change"})


def cell_count(edition: str) -> dict[str, int]:
    return {
        "active": sum(len(r) * len(c) for r, c in ACTIVE[edition].values()),
        "applications": len(APP_ROWS[edition]) * len(APP_COLUMNS),
        "review": len(REVIEW_ROWS) * len(REVIEW_COLUMNS),
    }
