"""Scoring an assessment against its template: pure functions, tested in isolation."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from shared.errors import FieldError


def score_errors(domains: Sequence[Mapping[str, Any]], scores: Mapping[str, int]) -> list[FieldError]:
    """Every domain of the template scored within its range, and nothing else.
    Each error names ``scores.<domain>``; domains in template order, unknown ones after."""
    errors: list[FieldError] = []
    for domain in domains:
        code, low, high = domain["code"], domain["min"], domain["max"]
        if code not in scores:
            errors.append((f"scores.{code}", "not scored: every domain of the template needs a score"))
        elif not low <= scores[code] <= high:
            errors.append((f"scores.{code}", f"{scores[code]} is outside {low}..{high}"))
    known = {domain["code"] for domain in domains}
    errors += [(f"scores.{code}", "not a domain of this template") for code in scores if code not in known]
    return errors


def duplicate_codes(codes: Sequence[str]) -> list[str]:
    """Codes that appear more than once, each named once, in first-seen order."""
    counts = Counter(codes)
    return [code for code, count in counts.items() if count > 1]
