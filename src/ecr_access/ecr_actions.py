"""The Amazon ECR actions that act on a repository.

Source: Service Authorization Reference, "Actions, resources, and condition keys
for Amazon Elastic Container Registry" — the actions whose resource type is
``repository``. Registry-level actions (GetAuthorizationToken, DescribeRegistry,
PutRegistryPolicy, …) cannot be granted by a repository policy and are left out.
An ``ecr:`` action that is not listed here (one AWS adds later) is still treated
as a repository action by the analyses: unknown never means harmless.
"""

from functools import lru_cache

from ecr_access.ecr_action_names import GET_DOWNLOAD_URL_FOR_LAYER
from ecr_access.policy.model import ActionSpec
from ecr_access.policy.wildcard import has_wildcard

PULL_ACTIONS = (GET_DOWNLOAD_URL_FOR_LAYER, "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability")
PUSH_ACTIONS = ("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage")

REPOSITORY_ACTIONS: tuple[str, ...] = (
    *PULL_ACTIONS,
    *PUSH_ACTIONS,
    "ecr:BatchDeleteImage",
    "ecr:BatchGetRepositoryScanningConfiguration",
    "ecr:BatchImportUpstreamImage",
    "ecr:CreateRepository",
    "ecr:DeleteLifecyclePolicy",
    "ecr:DeleteRepository",
    "ecr:DeleteRepositoryPolicy",
    "ecr:DescribeImageReplicationStatus",
    "ecr:DescribeImageScanFindings",
    "ecr:DescribeImageSigningStatus",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:GetLifecyclePolicy",
    "ecr:GetLifecyclePolicyPreview",
    "ecr:GetRepositoryPolicy",
    "ecr:ListImages",
    "ecr:ListTagsForResource",
    "ecr:PutImageScanningConfiguration",
    "ecr:PutImageTagMutability",
    "ecr:PutLifecyclePolicy",
    "ecr:ReplicateImage",
    "ecr:SetRepositoryPolicy",
    "ecr:StartImageScan",
    "ecr:StartLifecyclePolicyPreview",
    "ecr:TagResource",
    "ecr:UntagResource",
)

# Registry-level actions: known, and not grantable by a repository policy.
REGISTRY_ACTIONS: tuple[str, ...] = (
    "ecr:GetAuthorizationToken",
    "ecr:DescribeRegistry",
    "ecr:GetRegistryPolicy",
    "ecr:PutRegistryPolicy",
    "ecr:DeleteRegistryPolicy",
    "ecr:PutReplicationConfiguration",
    "ecr:GetRegistryScanningConfiguration",
    "ecr:PutRegistryScanningConfiguration",
    "ecr:CreatePullThroughCacheRule",
    "ecr:DeletePullThroughCacheRule",
    "ecr:DescribePullThroughCacheRules",
    "ecr:UpdatePullThroughCacheRule",
    "ecr:ValidatePullThroughCacheRule",
    "ecr:CreateRepositoryCreationTemplate",
    "ecr:DeleteRepositoryCreationTemplate",
    "ecr:DescribeRepositoryCreationTemplates",
    "ecr:UpdateRepositoryCreationTemplate",
    "ecr:GetAccountSetting",
    "ecr:PutAccountSetting",
    "ecr:GetSigningConfiguration",
    "ecr:PutSigningConfiguration",
    "ecr:DeleteSigningConfiguration",
    "ecr:ListPullTimeUpdateExclusions",
)

_KNOWN = frozenset(a.lower() for a in (*REPOSITORY_ACTIONS, *REGISTRY_ACTIONS))


@lru_cache(maxsize=8192)
def repository_actions_granted(spec: ActionSpec) -> tuple[str, ...]:
    """The repository actions an Action/NotAction element covers, in catalog order.

    An explicit ``ecr:Something`` that the catalog does not know is returned as
    written, so a newer action is never silently ignored. Cached by element: the
    same few Action lists recur across thousands of policies.
    """
    granted = [a for a in REPOSITORY_ACTIONS if spec.matches(a)]
    if not spec.negated:
        granted.extend(
            p
            for p in spec.patterns
            if p.lower().startswith("ecr:") and not has_wildcard(p) and p.lower() not in _KNOWN
        )
    return tuple(granted)


@lru_cache(maxsize=8192)
def repository_actions_covered(spec: ActionSpec) -> frozenset[str]:
    return frozenset(repository_actions_granted(spec))


def covers_action(spec: ActionSpec, action: str) -> bool:
    """Whether an element covers an action granted elsewhere (catalog or as written)."""
    if action in repository_actions_covered(spec):
        return True
    return action.lower() not in _KNOWN and spec.matches(action)
