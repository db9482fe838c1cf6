"""Department feeds: the feed catalogue, the connectors that fetch them, the landing writer, and
the simulator that stands in for real departments in the demo, tests and benchmarks."""
