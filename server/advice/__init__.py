"""Advice domain."""
