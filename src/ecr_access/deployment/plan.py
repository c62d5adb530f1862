"""The order of commands that deploys ecr-access, for one account or an organization.

Printed as a bash script to read first; ``--execute`` runs it step by step and
stops at the first failure. Organization order: package → central stack in the
delegated-administrator account → member StackSet to the organizational units →
organization conformance pack (the roles and runbooks must exist in every account
before the pack is put). The principal rule goes to one Region only (IAM is
global): ``EvaluateIamHere`` is true there and false elsewhere.
"""

import shlex
import subprocess
from dataclasses import dataclass

CENTRAL_STACK, MEMBER_STACK, PACK = "ecr-access-central", "ecr-access-member", "ecr-access"
MANAGEMENT_ACCOUNT = (
    "$(aws organizations describe-organization --query Organization.MasterAccountId --output text)"
)
# Run once in the management account before an organization plan (CloudFormation User Guide,
# "Register a delegated administrator"); every StackSet call then passes --call-as DELEGATED_ADMIN.
DELEGATED_ADMIN_PREREQUISITE = (
    "aws organizations register-delegated-administrator --account-id <this account> "
    "--service-principal member.org.stacksets.cloudformation.amazonaws.com"
)
# Each rule's zip goes up under its content-hashed name (dist/lambda/<RULE>.key, `make package`).
RULE_CODE_KEYS = {
    "ECR_REPO_NOT_PUBLIC": "RepoRuleCodeKey",
    "ECR_LAYER_DOWNLOAD_RESTRICTED": "PrincipalRuleCodeKey",
}


@dataclass(frozen=True, slots=True)
class Settings:
    code_bucket: str
    regions: tuple[str, ...]
    iam_region: str
    organization_units: tuple[str, ...] = ()  # empty: one account
    delivery_bucket: str | None = None  # organization packs: a bucket named awsconfigconforms-…
    pack_parameters: tuple[str, ...] = ()  # extra pack parameters, Name=Value
    automation_account: str = "ACCOUNT_ID"  # organization packs name the automation roles by literal ARN

    @property
    def organization(self) -> bool:
        return bool(self.organization_units)


def _output(stack: str, key: str, region: str) -> str:
    return (
        f"$(aws cloudformation describe-stacks --region {region} --stack-name {stack} "
        f"--query \"Stacks[0].Outputs[?OutputKey=='{key}'].OutputValue\" --output text)"
    )


def _pack_parameters(settings: Settings, region: str) -> str:
    lambdas = [
        (key, _output(CENTRAL_STACK, output, region))
        for key, output in (
            ("RepoRuleLambdaArn", "RepoRuleFunctionArn"),
            ("PrincipalRuleLambdaArn", "PrincipalRuleFunctionArn"),
        )
    ]
    pairs = [
        *lambdas,
        ("EvaluateIamHere", str(region == settings.iam_region).lower()),
        *(tuple(p.split("=", 1)) for p in settings.pack_parameters),
    ]
    if not settings.organization:
        home = settings.iam_region
        pairs += [
            (
                "RepoRemediationRoleArn",
                _output(MEMBER_STACK, "RestrictRepositoryPolicyAutomationRoleArn", home),
            ),
            (
                "PrincipalRemediationRoleArn",
                _output(MEMBER_STACK, "RevokeLayerDownloadAutomationRoleArn", home),
            ),
        ]
    return " ".join(f"ParameterName={name},ParameterValue={value}" for name, value in pairs)


def commands(settings: Settings) -> list[str]:
    home, bucket = settings.iam_region, shlex.quote(settings.code_bucket)
    central = "$(aws sts get-caller-identity --query Account --output text)"
    member = f"CentralAccountId={central} HomeRegion={home} CodeBucket={bucket}"
    steps = [
        "make package templates",
        *(
            f"aws s3 cp dist/lambda/{rule}.zip s3://{bucket}/ecr-access/$(cat dist/lambda/{rule}.key)"
            for rule in RULE_CODE_KEYS
        ),
        f"aws s3 cp deploy/member.yaml s3://{bucket}/ecr-access/member.yaml",
        # the runbooks' attachments, which the member stack's SSM documents fetch
        f"aws s3 cp --recursive dist/runbooks/ s3://{bucket}/ecr-access/runbooks/",
    ]
    for region in settings.regions:
        steps.append(
            f"aws cloudformation deploy --region {region} --stack-name {CENTRAL_STACK} --template-file "
            f"deploy/central.yaml --capabilities CAPABILITY_NAMED_IAM "
            f"--parameter-overrides CodeBucket={bucket} Organization={str(settings.organization).lower()} "
            + " ".join(f"{key}=$(cat dist/lambda/{rule}.key)" for rule, key in RULE_CODE_KEYS.items())
        )
    if settings.organization:
        steps += [
            f"aws cloudformation create-stack-set --region {home} --stack-set-name {MEMBER_STACK} "
            f"--template-url https://{bucket}.s3.amazonaws.com/ecr-access/member.yaml "
            "--permission-model SERVICE_MANAGED --call-as DELEGATED_ADMIN "
            "--auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false "
            "--capabilities CAPABILITY_NAMED_IAM "
            f"--parameters ParameterKey=CentralAccountId,ParameterValue={central} "
            f"ParameterKey=HomeRegion,ParameterValue={home} "
            f"ParameterKey=CodeBucket,ParameterValue={bucket}",
            f"aws cloudformation create-stack-instances --region {home} --stack-set-name {MEMBER_STACK} "
            "--call-as DELEGATED_ADMIN "
            f"--deployment-targets OrganizationalUnitIds={','.join(settings.organization_units)} "
            f"--regions {' '.join(settings.regions)}",
            f"ecr-access render-pack --organization --automation-account {settings.automation_account} "
            "> dist/conformance-pack.organization.yaml",
        ]
    else:
        for region in settings.regions:  # the roles in the home Region, the runbooks in every Region
            steps.append(
                f"aws cloudformation deploy --region {region} --stack-name {MEMBER_STACK} --template-file "
                f"deploy/member.yaml --s3-bucket {bucket} --s3-prefix ecr-access "
                f"--capabilities CAPABILITY_NAMED_IAM --parameter-overrides {member}"
            )
    for region in settings.regions:
        if settings.organization:
            steps.append(
                f"aws configservice put-organization-conformance-pack --region {region} "
                f"--organization-conformance-pack-name {PACK} "
                "--template-body file://dist/conformance-pack.organization.yaml "
                f"--delivery-s3-bucket {shlex.quote(settings.delivery_bucket or '')} "
                # Service-managed StackSets never deploy to the management account, so it would get
                # the rules without the roles and runbooks: it is excluded (README, deployment guide).
                f"--excluded-accounts {MANAGEMENT_ACCOUNT} "
                f"--conformance-pack-input-parameters {_pack_parameters(settings, region)}"
            )
        else:
            steps.append(
                f"aws configservice put-conformance-pack --region {region} --conformance-pack-name {PACK} "
                "--template-body file://conformance-pack.yaml "
                f"--conformance-pack-input-parameters {_pack_parameters(settings, region)}"
            )
    return steps


def run(steps: list[str]) -> int:
    for number, step in enumerate(steps, 1):
        print(f"[{number}/{len(steps)}] {step}", flush=True)
        completed = subprocess.run(["bash", "-euo", "pipefail", "-c", step], check=False)
        if completed.returncode != 0:
            print(f"step {number} failed (exit {completed.returncode}); stopped", flush=True)
            return completed.returncode
    return 0
