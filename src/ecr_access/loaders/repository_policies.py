"""Other accounts' repository policies as files: ``aws ecr get-repository-policy`` output, one or a list.

Each entry is what the CLI prints — ``{"registryId", "repositoryName", "policyText"}`` —
optionally with ``"region"`` (or ``"repositoryArn"``). ``"policyText": null`` (or the
entry of a repository that has none) means no policy. Entries are grouped into one
Registry per account: the accounts listed are "read", so a cross-account grant to them is
decided exactly; accounts not listed stay "depends on their repository policies".
"""

from typing import Any

from ecr_access.aws_identifiers import ACCOUNT_ID
from ecr_access.permissions.registries import Registry, RegistryRepository, repository_of
from ecr_access.policy.errors import PolicyError

MAX_ENTRIES = 100_000  # a bound on hostile input; ECR allows 100,000 repositories per Region


def _entry(item: Any, position: int, default_region: str | None) -> tuple[str, RegistryRepository]:
    if not isinstance(item, dict):
        raise PolicyError(f"entry #{position} is not an object")
    arn = item.get("repositoryArn")
    if arn is None:
        account, name = item.get("registryId"), item.get("repositoryName")
        region = item.get("region", default_region)
        if not isinstance(name, str) or not name:
            raise PolicyError(f"entry #{position} has no repositoryName")
        if not region:
            raise PolicyError(f"entry #{position} ({name}) has no region: give --registry-region")
        arn = f"arn:aws:ecr:{region}:{account}:repository/{name}"
    if not isinstance(arn, str) or arn.count(":") < 5:
        raise PolicyError(f"entry #{position}: {arn!r} is not a repository ARN")
    account = arn.split(":")[4]
    if not ACCOUNT_ID.match(account):
        raise PolicyError(f"entry #{position}: registry {account!r} is not a 12-digit account id")
    text = item.get("policyText")
    if text is not None and not isinstance(text, str):
        raise PolicyError(f"entry #{position}: policyText must be the policy's JSON text")
    return account, repository_of(arn, text)


def load_repository_policies(value: Any, *, default_region: str | None = None) -> list[Registry]:
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_ENTRIES:
        raise PolicyError(f"more than {MAX_ENTRIES:,} repository policies")
    by_account: dict[str, list[RegistryRepository]] = {}
    for position, item in enumerate(items):
        account, repository = _entry(item, position, default_region)
        by_account.setdefault(account, []).append(repository)
    return [
        Registry(
            account,
            tuple(sorted(repositories, key=lambda r: (r.policy is None and r.problem is None, r.arn))),
        )
        for account, repositories in by_account.items()
    ]
