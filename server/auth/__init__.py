"""Auth domain."""
