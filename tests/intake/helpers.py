"""Kept for the intake test files that import from here: both now live in shared.testing,
which the files should import instead."""
from __future__ import annotations

from shared.testing import assert_problem, created

__all__ = ["assert_problem", "created"]
