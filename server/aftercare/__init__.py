"""Aftercare: what happens after a visit is sealed (addenda, victim updates, satisfaction,
the leave-behind and its email). See ``docs/aftercare.md``."""
