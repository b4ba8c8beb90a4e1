"""Pledge figures for supervisors."""
