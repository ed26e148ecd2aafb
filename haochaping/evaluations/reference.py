"""The reference number a rater is given right after a 差评 (issue 16). Pure: no ORM.

The work order of a bad review is opened by a task moments after the rating commits, so
the thank-you page cannot show the order's own number yet. Until the work order carries
one readable number everywhere (issue 16, in progress elsewhere), this reference is made
from what exists at once: the local day of the rating and its id (``CP`` = 差评). The
follow-up page and the rater's reply page show the same reference, found from the order's
rating, so the rater can quote it on the 12345 hotline.
"""

from __future__ import annotations

from datetime import date

PREFIX = "CP"


def bad_review_reference(evaluation_id: int, day: date) -> str:
    """``CP20261207-000123``: the rating's local day and its id (at least six digits)."""
    return f"{PREFIX}{day:%Y%m%d}-{evaluation_id:06d}"
