"""The demo account: a realistic slice of an organization's workload account, as data.

Twenty repositories and thirty principals, each chosen to show one way ECR layers
end up exposed or stay private. ``seed`` creates them through the AWS APIs (moto
in the demo and the tests); the rule parameters below are the ones a platform
team would deploy the conformance pack with for this account.
"""

from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
ORGANIZATION = "o-a1b2c3d4e5"  # the organization this account belongs to
SHARED_SERVICES = "444455556666"  # a trusted sibling account (central CI, base images)
VENDOR = "999988887777"  # a third party, outside the organization
OTHER_ORGANIZATION = "o-zz9y8x7w6v"
EXEMPTION_TAG = "ecr-access:exempt"
ALLOW_TAG = ("ecr-access:layer-download", "approved")
SSO_ADMINS = "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_*"

# What the conformance pack would be deployed with (the rules' parameter names and string forms).
REPOSITORY_RULE_PARAMETERS = {
    "TrustedAccountIds": SHARED_SERVICES,
    "TrustedOrganizationIds": ORGANIZATION,
    "ExemptionTagKey": EXEMPTION_TAG,
}
PRINCIPAL_RULE_PARAMETERS = {
    "AllowedPrincipalArns": f"{SSO_ADMINS},arn:aws:iam::{ACCOUNT}:user/break-glass",
    "AllowedPrincipalTagKey": ALLOW_TAG[0],
    "AllowedPrincipalTagValue": ALLOW_TAG[1],
    "AllowedServicePrincipals": "ecs-tasks.amazonaws.com",
}

PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
PUSH = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(sid: str, principal: Any, actions: list[str], condition: dict | None = None) -> dict[str, Any]:
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": actions}
    return {**statement, "Condition": condition} if condition else statement


@dataclass(frozen=True, slots=True)
class DemoRepository:
    name: str
    story: str  # why it is in the demo, in a few words
    policy: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)


REPOSITORIES = (
    DemoRepository(
        "payments/api",
        "pull limited to the organization",
        _policy(_allow("OrgPull", "*", PULL, {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION}})),
    ),
    DemoRepository("payments/worker", "no policy"),
    DemoRepository("payments/ledger", "no policy"),
    DemoRepository(
        "storefront/web",
        "made public to share a demo image",
        _policy(_allow("PublicPull", "*", PULL)),
    ),
    DemoRepository(
        "storefront/search",
        "public to any AWS account, for a partner",
        _policy(_allow("AnyAccount", {"AWS": "*"}, ["ecr:*"])),
    ),
    DemoRepository("storefront/cdn-edge", "no policy"),
    DemoRepository(
        "shared/base-images",
        "trusted shared-services account",
        _policy(_allow("SharedServices", {"AWS": f"arn:aws:iam::{SHARED_SERVICES}:root"}, PULL)),
    ),
    DemoRepository(
        "vendor/scanner-plugin",
        "a vendor account outside the organization",
        _policy(_allow("VendorPull", {"AWS": f"arn:aws:iam::{VENDOR}:root"}, PULL)),
    ),
    DemoRepository(
        "ml/models",
        "public Allow, carved out by a Deny outside the organization",
        _policy(
            _allow("AllowPullToAnyone", "*", PULL),
            {
                "Sid": "DenyOutsideOrganization",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "ecr:*",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORGANIZATION}},
            },
        ),
    ),
    DemoRepository(
        "tools/uploader",
        "public push only (no pull)",
        _policy(_allow("PublicPush", "*", PUSH)),
    ),
    DemoRepository(
        "data/etl",
        "pull limited to another organization",
        _policy(
            _allow("PartnerOrg", "*", PULL, {"StringEquals": {"aws:PrincipalOrgID": OTHER_ORGANIZATION}})
        ),
    ),
    DemoRepository(
        "platform/build-cache",
        "CodeBuild without a source-account condition (confused deputy)",
        _policy(_allow("CodeBuild", {"Service": "codebuild.amazonaws.com"}, PULL)),
    ),
    DemoRepository(
        "platform/functions",
        "Lambda, scoped to this account's functions",
        _policy(
            _allow(
                "LambdaPull",
                {"Service": "lambda.amazonaws.com"},
                ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                {"StringLike": {"aws:sourceArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:*"}},
            )
        ),
    ),
    DemoRepository(
        "platform/sidecar",
        "same-account role only",
        _policy(_allow("DeployRole", {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deploy"}, PULL)),
    ),
    DemoRepository("platform/agent", "no policy"),
    DemoRepository(
        "mobile/backend",
        "public, but exempted by tag (a deliberate public image)",
        _policy(_allow("PublicPull", "*", PULL)),
        {EXEMPTION_TAG: "true"},
    ),
    DemoRepository(
        "analytics/notebooks",
        "any principal of this account",
        _policy(_allow("AccountOnly", "*", PULL, {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}})),
    ),
    DemoRepository("security/scanner", "no policy"),
    DemoRepository("observability/collector", "no policy"),
    DemoRepository(
        "legacy/batch",
        "the shared-services account, and one that left the organization",
        _policy(
            _allow("SharedServicesPull", {"AWS": f"arn:aws:iam::{SHARED_SERVICES}:root"}, PULL),
            _allow("FormerSubsidiaryPull", {"AWS": "arn:aws:iam::555566667777:root"}, PULL),
        ),
    ),
)


ECS_TASKS = {"Service": "ecs-tasks.amazonaws.com"}
EC2 = {"Service": "ec2.amazonaws.com"}
LAMBDA = {"Service": "lambda.amazonaws.com"}
SSO = {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_a1b2c3d4e5f6_DO_NOT_DELETE"}
GITHUB = {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"}
EMPLOYEES = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


@dataclass(frozen=True, slots=True)
class DemoPrincipal:
    kind: str  # "Role" | "User"
    name: str
    story: str
    path: str = "/"
    trust: dict[str, Any] | None = None  # roles: the Principal of the trust policy
    managed: tuple[str, ...] = ()  # AWS managed policy names
    inline: dict[str, Any] | None = None  # one inline policy document
    boundary: str | None = None  # the name of a customer managed policy used as boundary
    groups: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)


def _ecs_execution_role(service: str) -> DemoPrincipal:
    return DemoPrincipal(
        "Role",
        f"ecs-exec-{service}",
        "ECS task execution role (pulls the service's image)",
        trust=ECS_TASKS,
        managed=("service-role/AmazonECSTaskExecutionRolePolicy",),
    )


def _ecs_task_role(service: str) -> DemoPrincipal:
    return DemoPrincipal(
        "Role",
        f"ecs-task-{service}",
        "ECS task role (the application's own permissions)",
        trust=ECS_TASKS,
        inline=_policy(
            {"Effect": "Allow", "Action": ["sqs:SendMessage", "dynamodb:GetItem"], "Resource": "*"}
        ),
    )


def _developer(name: str) -> DemoPrincipal:
    return DemoPrincipal("User", name, "developer (group developers: ReadOnlyAccess)", groups=("developers",))


PRINCIPALS = (
    DemoPrincipal(
        "Role",
        "AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b",
        "IAM Identity Center administrators (allow-listed)",
        path="/aws-reserved/sso.amazonaws.com/",
        trust=SSO,
        managed=("AdministratorAccess",),
    ),
    DemoPrincipal(
        "Role",
        "AWSReservedSSO_ReadOnly_9f8e7d6c5b4a3f2e",
        "IAM Identity Center read-only permission set",
        path="/aws-reserved/sso.amazonaws.com/",
        trust=SSO,
        managed=("ReadOnlyAccess",),
    ),
    *(
        _ecs_execution_role(s)
        for s in ("payments-api", "payments-worker", "storefront-web", "storefront-search")
    ),
    *(_ecs_task_role(s) for s in ("payments-api", "payments-worker", "storefront-web")),
    DemoPrincipal(
        "Role",
        "eks-node-main",
        "EKS node group role (allow-listed by tag)",
        trust=EC2,
        managed=("AmazonEC2ContainerRegistryReadOnly", "AmazonEKSWorkerNodePolicy"),
        tags={ALLOW_TAG[0]: ALLOW_TAG[1]},
    ),
    DemoPrincipal(
        "Role",
        "github-actions-build",
        "CI role with ecr:* (pushes and pulls every repository)",
        trust=GITHUB,
        inline=_policy({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}),
    ),
    DemoPrincipal(
        "Role",
        "contractor-sandbox",
        "AdministratorAccess, held in by a permissions boundary without ECR",
        trust=EMPLOYEES,
        managed=("AdministratorAccess",),
        boundary="sandbox-boundary",
    ),
    DemoPrincipal(
        "Role",
        "build-from-vpc",
        "pull only through the build VPC's endpoint (conditional)",
        trust=EC2,
        inline=_policy(
            {
                "Effect": "Allow",
                "Action": "ecr:GetDownloadUrlForLayer",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f67890"}},
            }
        ),
    ),
    DemoPrincipal(
        "Role",
        "security-auditor",
        "ReadOnlyAccess with an explicit Deny on layer download",
        trust=EMPLOYEES,
        managed=("ReadOnlyAccess",),
        inline=_policy({"Effect": "Deny", "Action": "ecr:GetDownloadUrlForLayer", "Resource": "*"}),
    ),
    *(
        DemoPrincipal(
            "Role",
            f"lambda-{name}",
            "Lambda execution role (logs only)",
            trust=LAMBDA,
            managed=("service-role/AWSLambdaBasicExecutionRole",),
        )
        for name in ("thumbnailer", "webhook", "nightly-report")
    ),
    DemoPrincipal(
        "Role",
        "deploy",
        "pushes images (no pull)",
        trust=GITHUB,
        inline=_policy({"Effect": "Allow", "Action": PUSH, "Resource": "*"}),
    ),
    DemoPrincipal(
        "Role",
        "data-pipeline",
        "S3 and Glue only",
        trust=LAMBDA,
        inline=_policy({"Effect": "Allow", "Action": ["s3:GetObject", "glue:StartJobRun"], "Resource": "*"}),
    ),
    *(_developer(n) for n in ("dev-ana", "dev-bo", "dev-chen", "dev-dara")),
    DemoPrincipal(
        "User",
        "legacy-deployer",
        "old deploy user with inline ecr:Get*",
        inline=_policy({"Effect": "Allow", "Action": "ecr:Get*", "Resource": "*"}),
    ),
    DemoPrincipal(
        "User", "break-glass", "emergency administrator (allow-listed)", managed=("AdministratorAccess",)
    ),
    DemoPrincipal("User", "billing-admin", "billing only", managed=("job-function/Billing",)),
    *(
        DemoPrincipal("User", n, "analyst (group analysts: Athena)", groups=("analysts",))
        for n in ("analyst-eve", "analyst-finn")
    ),
)

GROUPS = {"developers": ("ReadOnlyAccess",), "analysts": ("AmazonAthenaFullAccess",)}
# A boundary that allows what a sandbox needs and nothing of ECR (AdministratorAccess stays inside it).
BOUNDARIES = {
    "sandbox-boundary": _policy(
        {"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*", "cloudwatch:*", "logs:*"], "Resource": "*"}
    )
}
# Service-linked roles AWS creates for services the account uses (never judged, never modified).
SERVICE_LINKED = ("ecs.amazonaws.com", "autoscaling.amazonaws.com")
