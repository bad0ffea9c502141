"""On-demand benchmarks; each prints a table and exits non-zero when a target is missed."""
