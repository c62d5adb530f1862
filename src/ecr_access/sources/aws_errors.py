"""Naming an AWS call's failure in one line, for logs, annotations and the final error."""

from botocore.exceptions import ClientError

# The codes AWS services answer a call with when the caller lacks the IAM permission.
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response["Error"].get("Code", "Error"))
    return type(exc).__name__


def missing_permission(exc: Exception, service: str) -> str | None:
    """The IAM action a denied call needed (``ecr:GetRepositoryPolicy``); None if not a denial.

    For these services the IAM action is the API operation under the service's prefix
    (Service Authorization Reference: ECR, IAM, Organizations, STS, EC2).
    """
    if error_code(exc) not in ACCESS_DENIED or not isinstance(exc, ClientError) or not exc.operation_name:
        return None
    return f"{service}:{exc.operation_name}"


def describe_error(exc: Exception, service: str | None = None) -> str:
    """``Code: message``, plus the missing permission when ``service`` is given and access was denied."""
    if not isinstance(exc, ClientError):
        return f"{type(exc).__name__}: {exc}"
    text = f"{error_code(exc)}: {exc.response['Error'].get('Message', '')}".strip()
    if service is not None and (action := missing_permission(exc, service)) is not None:
        text += f" (missing permission {action})"
    return text
