"""Named errors with messages a user can act on.

Logic raises these; ``components.app`` turns them into ``gr.Error`` messages (``components.app.user_errors``).
They are all ``ValueError`` subclasses so plain callers can catch one type.
"""


class LensError(ValueError):
    """Base class: the message is shown to the user as it is."""


class ModelUnavailable(LensError):
    """A model cannot be loaded here (not packaged, no network, bad files)."""


class CorpusError(LensError):
    """A corpus, query file or label file cannot be used; says where and why."""


class UnknownTask(LensError):
    """A task key that is not in the task registry (``components.tasks``)."""
