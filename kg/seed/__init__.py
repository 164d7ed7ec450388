"""Seed data: reading, validating and loading the YAML under seed/ (docs/seed-format.md).

Each module is imported on its own (this file imports nothing), so that `kg.seed.model` does not
load the validator.
"""
