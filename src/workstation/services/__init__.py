"""Use cases: one function or small class per user action.

Each returns a :class:`~workstation.services.changes.Result` whose ``changes``
tells views what to refresh. Services never import Qt.
"""
