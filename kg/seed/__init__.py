"""Seed data: reading, validating and loading the YAML under seed/ (docs/seed-format.md)."""

from kg.seed.validate import Seed, validate

__all__ = ["Seed", "validate"]
