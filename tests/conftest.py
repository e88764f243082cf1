"""Shared fixtures. Each fixture module owns one kind of resource and cleans up what it makes."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.sim",
    "tests.fixtures.web",
    "tests.fixtures.tracked",
]
