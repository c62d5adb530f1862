"""Loading what AWS hands over: IAM principals (authorization details, Config items), VPC endpoints.

The names below are imported on first use (PEP 562), so a module that needs one loader (the
VPC endpoint rule reads endpoints, not IAM) does not load the others.
"""

from ecr_access.lazy_names import lazy_attributes

_SOURCES = {
    "AccountAuthorization": "ecr_access.loaders.account",
    "load_authorization_details": "ecr_access.loaders.authorization_details",
    "load_config_items": "ecr_access.loaders.config_items",
}

__all__ = ["AccountAuthorization", "load_authorization_details", "load_config_items"]


__getattr__ = lazy_attributes("ecr_access.loaders", _SOURCES, globals())
