"""Independent oracle of the gap rules (docs/rules.md) and its equivalence tests."""
