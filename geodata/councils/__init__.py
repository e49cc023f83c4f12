"""Adapters for one council's published files (their own columns and gaps) to the schemas."""
