"""Retention and erasure of visits (DPA 2018 Part 3; docs/retention.md)."""
