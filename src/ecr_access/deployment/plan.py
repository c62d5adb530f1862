"""The order of commands that deploys ecr-access, for one account or an organization.

Printed as a bash script to read first; ``--execute`` runs it step by step and stops at
the first failure. Running it again is the update path: every step is create-or-update.

Organization order: package → one code bucket per Region (Lambda reads its code from a
bucket in the function's own Region: CloudFormation, AWS::Lambda::Function Code) → central
stack in the delegated-administrator account → member StackSet to the organizational units,
waited for (StackSet operations are asynchronous) → organization conformance pack, waited
for. The principal rule goes to one Region only (IAM is global): ``EvaluateIamHere`` is
true there and false elsewhere.
"""

import json
import shlex
import subprocess
from dataclasses import dataclass

from ecr_access.deployment.detection_templates import BUS as DETECTION_BUS

CENTRAL_STACK, MEMBER_STACK, PACK = "ecr-access-central", "ecr-access-member", "ecr-access"
PREFIX = "ecr-access/"  # key prefix in the code buckets (the templates' CodePrefix default)
# Run once in the management account before an organization plan (CloudFormation User Guide,
# "Register a delegated administrator"; Config Developer Guide, conformance packs across an
# organization): every StackSet call then passes --call-as DELEGATED_ADMIN.
DELEGATED_ADMIN_PREREQUISITES = tuple(
    "aws organizations register-delegated-administrator --account-id <this account> "
    f"--service-principal {principal}"
    for principal in (
        "member.org.stacksets.cloudformation.amazonaws.com",
        "config-multiaccountsetup.amazonaws.com",
    )
)
# Each rule's zip goes up under its content-hashed name (dist/lambda/<RULE>.key, `make package`).
RULE_CODE_KEYS = {
    "ECR_REPO_NOT_PUBLIC": "RepoRuleCodeKey",
    "ECR_LAYER_DOWNLOAD_RESTRICTED": "PrincipalRuleCodeKey",
    "ECR_VPC_ENDPOINT_RESTRICTED": "EndpointRuleCodeKey",
}
# StackSet rollout across hundreds of accounts: Regions in parallel, a quarter of the accounts
# at a time, and a few broken accounts do not stop the others (each failure is listed by
# list-stack-set-operation-results).
OPERATION_PREFERENCES = (
    "RegionConcurrencyType=PARALLEL,MaxConcurrentPercentage=25,FailureTolerancePercentage=5"
)
THIS_ACCOUNT = "$(aws sts get-caller-identity --query Account --output text)"

# Shell functions every step may use. StackSet operations and conformance packs are
# asynchronous (CloudFormation API Reference, DescribeStackSetOperation; Config API Reference,
# DescribeConformancePackStatus and DescribeOrganizationConformancePackStatuses): a step ends
# only when what it started has finished, and fails when that failed.
# Member accounts' CloudFormation reads the runbooks' attachments (only those) from the code bucket,
# within the organization; printf fills in partition, bucket and organization id.
ATTACHMENT_READ_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OrganizationReadsRunbookAttachments",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:%s:s3:::%s/{PREFIX}runbooks/*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "%s"}},
            }
        ],
    },
    separators=(",", ":"),
)
PREAMBLE = r"""poll_seconds="${ECR_ACCESS_POLL_SECONDS:-15}"; polls="${ECR_ACCESS_MAX_POLLS:-240}"
organization_id() { aws organizations describe-organization --query Organization.Id --output text; }
management_account() {
  aws organizations describe-organization --query Organization.MasterAccountId --output text
}
attachment_read_policy() { printf '%s' "$1" "$2" "$3"; } # partition bucket organization-id
wait_stack_set_operation() { # region stack-set operation-id
  local status n=0
  while status=$(aws cloudformation describe-stack-set-operation --region "$1" --stack-set-name "$2" \
      --operation-id "$3" --call-as DELEGATED_ADMIN --query StackSetOperation.Status --output text); do
    case "$status" in
      SUCCEEDED) return 0 ;;
      RUNNING | QUEUED | STOPPING) n=$((n + 1)); [ "$n" -le "$polls" ] || break; sleep "$poll_seconds" ;;
      *) break ;;
    esac
  done
  echo "stack set operation $3 of $2: ${status:-unknown} (list-stack-set-operation-results)" >&2; return 1
}
wait_conformance_pack() { # region
  local state n=0
  while state=$(aws configservice describe-conformance-pack-status --region "$1" \
      --conformance-pack-names ecr-access \
      --query 'ConformancePackStatusDetails[0].ConformancePackState' --output text); do
    case "$state" in
      CREATE_COMPLETE) return 0 ;;
      CREATE_IN_PROGRESS) n=$((n + 1)); [ "$n" -le "$polls" ] || break; sleep "$poll_seconds" ;;
      *) break ;;
    esac
  done
  echo "conformance pack ecr-access in $1: ${state:-unknown}" >&2; return 1
}
wait_organization_conformance_pack() { # region
  local status n=0
  while status=$(aws configservice describe-organization-conformance-pack-statuses --region "$1" \
      --organization-conformance-pack-names ecr-access \
      --query 'OrganizationConformancePackStatuses[0].Status' --output text); do
    case "$status" in
      CREATE_SUCCESSFUL | UPDATE_SUCCESSFUL) return 0 ;;
      CREATE_IN_PROGRESS | UPDATE_IN_PROGRESS)
        n=$((n + 1)); [ "$n" -le "$polls" ] || break; sleep "$poll_seconds" ;;
      *) break ;;
    esac
  done
  echo "organization conformance pack ecr-access in $1: ${status:-unknown}" \
    "(get-organization-conformance-pack-detailed-status lists the accounts)" >&2; return 1
}""".replace("printf '%s'", "printf '" + ATTACHMENT_READ_POLICY + "'")


@dataclass(frozen=True, slots=True)
class Settings:
    code_bucket_prefix: str  # one bucket per Region: <prefix>-<region>
    regions: tuple[str, ...]
    iam_region: str
    organization_units: tuple[str, ...] = ()  # empty: one account
    delivery_bucket: str | None = None  # organization packs: a bucket named awsconfigconforms-…
    pack_parameters: tuple[str, ...] = ()  # extra pack parameters, Name=Value
    partition: str = "aws"
    perimeter_config: str | None = None  # the rules' TOML: render, check and deploy the SCP/RCP too
    perimeter_targets: tuple[str, ...] = ()  # root, OU or account ids they are attached to
    tag_administrators: tuple[str, ...] = ()
    detection: bool = False  # also deploy deploy/detection.yaml (CloudTrail pulls and changes)

    @property
    def organization(self) -> bool:
        return bool(self.organization_units)

    def bucket(self, region: str) -> str:
        return f"{self.code_bucket_prefix}-{region}"

    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"


def rule_function_arn(rule: str, region: str, account: str, partition: str = "aws") -> str:
    """The central stack names each function after its rule, so its ARN is known before it exists."""
    return f"arn:{partition}:lambda:{region}:{account}:function:{rule}"


def pack_parameters(settings: Settings, region: str, central_account: str) -> list[dict[str, str]]:
    """The conformance pack's input parameters in one Region, as the JSON file the AWS CLI reads.

    A JSON file, not the shorthand syntax: the shorthand parser splits ``ParameterValue=o-a,o-b``
    at the comma and rejects the call before any request is made."""
    arns = {
        parameter: rule_function_arn(rule, region, central_account, settings.partition)
        for rule, parameter in (
            ("ECR_REPO_NOT_PUBLIC", "RepoRuleLambdaArn"),
            ("ECR_LAYER_DOWNLOAD_RESTRICTED", "PrincipalRuleLambdaArn"),
            ("ECR_VPC_ENDPOINT_RESTRICTED", "EndpointRuleLambdaArn"),
        )
    }
    pairs = {
        **arns,
        "EvaluateIamHere": str(region == settings.iam_region).lower(),
        **dict(p.split("=", 1) for p in settings.pack_parameters),
    }
    return [{"ParameterName": name, "ParameterValue": value} for name, value in pairs.items()]


def _upload(settings: Settings, region: str) -> list[str]:
    bucket = settings.bucket(region)
    steps = [
        f"aws s3api head-bucket --region {region} --bucket {bucket} 2>/dev/null"
        f" || aws s3 mb --region {region} s3://{bucket}",
        f"aws s3api put-public-access-block --region {region} --bucket {bucket} "
        "--public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        *(
            f"aws s3 cp --region {region} dist/lambda/{rule}.zip "
            f"s3://{bucket}/{PREFIX}$(cat dist/lambda/{rule}.key)"
            for rule in (*RULE_CODE_KEYS, *((DETECTION,) if settings.detection else ()))
        ),
        # the runbooks' attachments, which the member stack's SSM documents fetch
        f"aws s3 cp --region {region} --recursive dist/runbooks/ s3://{bucket}/{PREFIX}runbooks/",
    ]
    if settings.organization:
        steps.append(
            f"aws s3api put-bucket-policy --region {region} --bucket {bucket} --policy "
            f'"$(attachment_read_policy {settings.partition} {bucket} "$(organization_id)")"'
        )
    if region == settings.iam_region:
        templates = ("member.yaml", *(("detection-forwarder.yaml",) if settings.detection else ()))
        steps += [f"aws s3 cp --region {region} deploy/{t} s3://{bucket}/{PREFIX}{t}" for t in templates]
    return steps


def _central(settings: Settings, region: str) -> str:
    organization = '"$(organization_id)"' if settings.organization else '""'
    return (
        f"aws cloudformation deploy --region {region} --stack-name {CENTRAL_STACK} "
        "--template-file deploy/central.yaml --capabilities CAPABILITY_NAMED_IAM "
        "--no-fail-on-empty-changeset "
        f"--parameter-overrides CodeBucketPrefix={settings.code_bucket_prefix} "
        f"Organization={str(settings.organization).lower()} OrganizationId={organization} "
        + " ".join(f"{key}=$(cat dist/lambda/{rule}.key)" for rule, key in RULE_CODE_KEYS.items())
    )


def _stack_set(settings: Settings, name: str, template: str, parameters: dict[str, str]) -> list[str]:
    """A service-managed StackSet over the organization units and Regions, created or updated."""
    home, bucket = settings.iam_region, settings.bucket(settings.iam_region)
    common = (
        f"--region {home} --stack-set-name {name} --call-as DELEGATED_ADMIN "
        f"--template-url https://{bucket}.s3.{home}.{settings.url_suffix()}/{PREFIX}{template} "
        "--capabilities CAPABILITY_NAMED_IAM --parameters "
        + " ".join(f"ParameterKey={key},ParameterValue={value}" for key, value in parameters.items())
    )
    targets = (
        f"--deployment-targets OrganizationalUnitIds={','.join(settings.organization_units)} "
        f"--regions {' '.join(settings.regions)} --operation-preferences {OPERATION_PREFERENCES}"
    )
    return [
        # Created on the first run; on later runs updated (its existing instances with it).
        f"if aws cloudformation describe-stack-set --region {home} --stack-set-name {name} "
        "--call-as DELEGATED_ADMIN >/dev/null 2>&1; "
        f"then operation=$(aws cloudformation update-stack-set {common} "
        f"--operation-preferences {OPERATION_PREFERENCES} --query OperationId --output text) && "
        f'wait_stack_set_operation {home} {name} "$operation"; '
        f"else aws cloudformation create-stack-set {common} --permission-model SERVICE_MANAGED "
        "--auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false >/dev/null; fi",
        # Instances for the given units and Regions; those that exist already are left as they are
        # (the update above reached them), new units or Regions get theirs.
        "operation=$(aws cloudformation create-stack-instances "
        f"--region {home} --stack-set-name {name} "
        f"--call-as DELEGATED_ADMIN {targets} --query OperationId --output text) && "
        f'wait_stack_set_operation {home} {name} "$operation"',
    ]


def _member_stack_set(settings: Settings) -> list[str]:
    return _stack_set(
        settings,
        MEMBER_STACK,
        "member.yaml",
        {
            "CentralAccountId": THIS_ACCOUNT,
            "HomeRegion": settings.iam_region,
            "CodeBucketPrefix": settings.code_bucket_prefix,
        },
    )


def _member(settings: Settings, region: str) -> str:
    """One account: the member stack in each Region (the roles in the home Region only)."""
    return (
        f"aws cloudformation deploy --region {region} --stack-name {MEMBER_STACK} --template-file "
        f"deploy/member.yaml --s3-bucket {settings.bucket(region)} --s3-prefix ecr-access "
        "--capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides "
        f"CentralAccountId={THIS_ACCOUNT} HomeRegion={settings.iam_region} "
        f"CodeBucketPrefix={settings.code_bucket_prefix}"
    )


def _pack(settings: Settings, region: str) -> list[str]:
    parameters = f"dist/pack-parameters.{region}.json"
    extra = "".join(f" --pack-parameter {shlex.quote(p)}" for p in settings.pack_parameters)
    write = (
        f"ecr-access pack-parameters --region {region} --iam-region {settings.iam_region} "
        f"--central-account {THIS_ACCOUNT} --partition {settings.partition}{extra} > {parameters}"
    )
    if settings.organization:
        put = (
            f"aws configservice put-organization-conformance-pack --region {region} "
            f"--organization-conformance-pack-name {PACK} --template-body file://dist/conformance-pack.yaml "
            f"--delivery-s3-bucket {shlex.quote(settings.delivery_bucket or '')} "
            # Service-managed StackSets never deploy to the management account, so it would get
            # the rules without the roles and runbooks: it is excluded (docs/deployment.md).
            '--excluded-accounts "$(management_account)" '
            f"--conformance-pack-input-parameters file://{parameters} && "
            f"wait_organization_conformance_pack {region}"
        )
    else:
        put = (
            f"aws configservice put-conformance-pack --region {region} --conformance-pack-name {PACK} "
            "--template-body file://dist/conformance-pack.yaml "
            f"--conformance-pack-input-parameters file://{parameters} && wait_conformance_pack {region}"
        )
    return [write, put]


PERIMETER_STACK, DETECTION_STACK, DETECTION, FORWARDER_STACK = (
    "ecr-access-perimeter",
    "ecr-access-detection",
    "ecr-access-detection",
    "ecr-access-detection-forwarder",
)


def _detection(settings: Settings) -> list[str]:
    """The detection stack in the home Region; in an organization its bus admits the organization,
    and the forwarder StackSet sends every member account's events there (docs/detective-controls.md)."""
    organization = ' OrganizationId="$(organization_id)"' if settings.organization else ""
    steps = [
        f"aws cloudformation deploy --region {settings.iam_region} --stack-name {DETECTION_STACK} "
        "--template-file deploy/detection.yaml --capabilities CAPABILITY_NAMED_IAM "
        "--no-fail-on-empty-changeset "
        f"--parameter-overrides CodeBucketPrefix={settings.code_bucket_prefix} "
        f"DetectionCodeKey=$(cat dist/lambda/{DETECTION}.key){organization}"
    ]
    if settings.organization:
        home = settings.iam_region
        bus = f"arn:{settings.partition}:events:{home}:{THIS_ACCOUNT}:event-bus/{DETECTION_BUS}"
        steps += _stack_set(
            settings,
            FORWARDER_STACK,
            "detection-forwarder.yaml",
            {"DetectionBusArn": bus, "HomeRegion": settings.iam_region},
        )
    return steps


def _perimeter(settings: Settings) -> list[str]:
    """The preventive controls, only after the engine has shown their impact on this account.

    ``perimeter check`` fails the plan when a principal that is not allow-listed would keep
    pull; run it against every account's authorization details before the first attach
    (docs/preventive-controls.md)."""
    config = shlex.quote(settings.perimeter_config or "")
    admins = "".join(f" --tag-administrator-arn {shlex.quote(a)}" for a in settings.tag_administrators)
    home, targets = settings.iam_region, ",".join(settings.perimeter_targets)
    return [
        "aws iam get-account-authorization-details --output json > dist/authorization-details.json",
        f"ecr-access perimeter check --config {config}{admins} "
        "--authorization-details dist/authorization-details.json",
        f"ecr-access perimeter render --config {config}{admins} --cloudformation dist/perimeter.yaml",
        f"aws cloudformation deploy --region {home} --stack-name {PERIMETER_STACK} "
        "--template-file dist/perimeter.yaml --no-fail-on-empty-changeset "
        f"--parameter-overrides ScpTargetIds={targets} RcpTargetIds={targets}",
    ]


def commands(settings: Settings) -> list[str]:
    steps = [
        "make package templates",
        f"ecr-access render-pack --partition {settings.partition} > dist/conformance-pack.yaml",
    ]
    for region in settings.regions:
        steps += _upload(settings, region)
    steps += [_central(settings, region) for region in settings.regions]
    if settings.organization:
        steps += _member_stack_set(settings)
    else:
        steps += [_member(settings, region) for region in settings.regions]
    for region in settings.regions:
        steps += _pack(settings, region)
    if settings.detection:
        steps += _detection(settings)
    if settings.perimeter_config:
        steps += _perimeter(settings)
    return steps


def script(settings: Settings) -> str:
    """The plan as a bash script to read (and run)."""
    prerequisites = (
        "# Prerequisites, once, in the management account:\n"
        + "".join(f"#   {line}\n" for line in DELEGATED_ADMIN_PREREQUISITES)
        + "# The management account gets no member stack from a service-managed StackSet, so the\n"
        "# organization pack excludes it (deploy a single-account plan there to cover it).\n"
        if settings.organization
        else ""
    )
    return (
        "#!/usr/bin/env bash\nset -euo pipefail\n"
        + prerequisites
        + PREAMBLE
        + "\n"
        + "\n".join(commands(settings))
    )


def run(steps: list[str]) -> int:
    for number, step in enumerate(steps, 1):
        print(f"[{number}/{len(steps)}] {step}", flush=True)
        completed = subprocess.run(["bash", "-euo", "pipefail", "-c", PREAMBLE + "\n" + step], check=False)
        if completed.returncode != 0:
            print(f"step {number} failed (exit {completed.returncode}); stopped", flush=True)
            return completed.returncode
    return 0
