"""Syncing domain."""
