"""On-demand benchmarks; each prints a table and exits non-zero when a target is missed."""


def verdict(checks: dict[str, bool]) -> int:
    """Print each target as met or MISSED; the exit status: 0 only if all were met."""
    print()
    for name, ok in checks.items():
        print(f"{'met   ' if ok else 'MISSED'} {name}")
    return 0 if all(checks.values()) else 1
