"""Domain core: entities, rules, ports and typed errors. Pure Python, no Qt, no SQL."""
