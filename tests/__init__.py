import pytest

# The shared assertions (assert_problem, created) report values like a test's own asserts.
pytest.register_assert_rewrite("shared.testing")
