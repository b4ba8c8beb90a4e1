"""Audited exports."""
