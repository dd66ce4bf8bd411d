"""Assessment rules in isolation: scoring against a template, and what makes a template."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from services.intake.assessments.rules import duplicate_codes, score_errors
from services.intake.assessments.schemas import TemplateCreate

codes = st.sampled_from(["self_care", "health", "housing", "income", "social_contacts", "safety", "mood"])


@st.composite
def templates(draw):
    """Domains with unique codes and a range each."""
    domains = []
    for code in draw(st.lists(codes, unique=True, min_size=1, max_size=5)):
        low = draw(st.integers(-5, 5))
        domains.append({"code": code, "min": low, "max": draw(st.integers(low + 1, low + 10))})
    return domains


@given(templates(), st.dictionaries(codes, st.integers(-20, 20)))
def test_scores_are_accepted_exactly_when_every_domain_is_scored_in_range_and_nothing_else(domains, scores):
    errors = score_errors(domains, scores)
    by_code = {d["code"]: d for d in domains}
    missing = [c for c in by_code if c not in scores]
    out_of_range = [c for c, s in scores.items() if c in by_code and not by_code[c]["min"] <= s <= by_code[c]["max"]]
    unknown = [c for c in scores if c not in by_code]
    assert sorted(field for field, _ in errors) == sorted(f"scores.{c}" for c in missing + out_of_range + unknown)
    assert (errors == []) == (set(scores) == set(by_code) and not out_of_range)


@given(templates(), st.data())
def test_scores_on_the_edges_of_each_range_are_accepted(domains, data):
    scores = {d["code"]: data.draw(st.sampled_from([d["min"], d["max"]])) for d in domains}
    assert score_errors(domains, scores) == []


def test_each_error_says_what_is_wrong():
    domains = [{"code": "health", "min": 0, "max": 4}, {"code": "income", "min": 0, "max": 4}]
    assert score_errors(domains, {"health": 7, "mood": 1}) == [
        ("scores.health", "7 is outside 0..4"),
        ("scores.income", "not scored: every domain of the template needs a score"),
        ("scores.mood", "not a domain of this template"),
    ]


@given(st.lists(codes))
def test_duplicate_codes_are_those_seen_more_than_once(names):
    counts = Counter(names)
    assert duplicate_codes(names) == [code for code in counts if counts[code] > 1]


@given(st.lists(st.tuples(codes, st.integers(-5, 5), st.integers(-5, 5)), max_size=6))
def test_a_template_needs_domains_with_unique_codes_and_ranges(specs):
    domains = [{"code": code, "names": {"en": code}, "min": low, "max": high} for code, low, high in specs]
    body = {"network": "BG-NNHM", "code": "social_assessment", "names": {"en": "Assessment"}, "domains": domains}
    valid = bool(specs) and len({c for c, _, _ in specs}) == len(specs) and all(lo < hi for _, lo, hi in specs)
    if valid:
        assert [d.code for d in TemplateCreate(**body).domains] == [c for c, _, _ in specs]
    else:
        with pytest.raises(ValidationError) as refused:
            TemplateCreate(**body)
        assert all(error["loc"][0] == "domains" for error in refused.value.errors())
