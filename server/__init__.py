"""Doorstep server: the API behind the officer's app and the supervisor's workspace."""
