"""The supervisor's workspace: find, read, review, figures and export, always within scope.

Each job has its module (``listing``, ``detail``, ``review``, ``stats``, ``export``); they
find visits one way (``scoped``), from the scope rule in ``server.auth.scope``.
"""
