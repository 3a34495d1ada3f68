"""Errors the CLI and the DAG report as one clear message (never a traceback)."""


class ThreecError(Exception):
    """A failure a user can act on; its message says what and where."""


class ConfigError(ThreecError):
    pass


class IngestError(ThreecError):
    pass


class BuildError(ThreecError):
    pass


class AlreadyRunning(ThreecError):
    pass
