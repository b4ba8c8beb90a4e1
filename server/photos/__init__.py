"""Photos domain."""
