"""The Great Expectations side of the quality gate (suites from the catalogue; validation runner)."""
