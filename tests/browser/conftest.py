"""The real-browser fixtures (browsing.py), for every test in this folder."""

from browsing import (  # noqa: F401 (fixtures are found by name in a conftest)
    browser,
    mobile_page,
    module_mobile_page,
    module_page,
    page,
    respondent_limits,
)
