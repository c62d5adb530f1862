"""Loading IAM principals the way AWS hands them over: authorization details or Config items."""

from ecr_access.loaders.account import AccountAuthorization
from ecr_access.loaders.authorization_details import load_authorization_details
from ecr_access.loaders.config_items import load_config_items

__all__ = ["AccountAuthorization", "load_authorization_details", "load_config_items"]
