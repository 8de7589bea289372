"""The one error every layer raises for a request Amazon would reject."""


class ScenarioError(Exception):
    """A request Amazon would reject: carries the HTTP status and an Amazon error code."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
