"""Reported burglaries: intake from the force's crime system, the queue to a visit, the pledge.

A report is what the force knows before anyone visits; a visit is what the officer records at
the door. Linking them gives the pledge figures their denominator: every reported burglary,
visited or still waiting. See ``docs/intake.md`` and ``docs/architecture.md``.
"""
