"""Naming an AWS call's failure in one line, for logs, annotations and the final error."""

from botocore.exceptions import ClientError


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response["Error"].get("Code", "Error"))
    return type(exc).__name__


def describe_error(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return f"{error_code(exc)}: {exc.response['Error'].get('Message', '')}".strip()
    return f"{type(exc).__name__}: {exc}"
