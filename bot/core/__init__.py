"""The pure core: knowledge lookups and rules, with no chat platform or database imports."""
