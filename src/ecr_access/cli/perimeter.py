"""``ecr-access perimeter render|check``: the SCP and RCP from the rules' allow-list, and their impact."""

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ecr_access.cli.exit_codes import ExitCode, UsageError
from ecr_access.cli.json_input import read_json
from ecr_access.cli.scan_settings import from_toml
from ecr_access.cli.who_can_pull import authorization_pages
from ecr_access.loaders.authorization_details import load_authorization_details
from ecr_access.loaders.repository_policies import load_repository_policies
from ecr_access.loaders.scps import load_rcp_levels, load_scp_levels
from ecr_access.perimeter.impact import Impact, perimeter_impact
from ecr_access.perimeter.policies import (
    COMMONLY_FORGOTTEN,
    PerimeterRefused,
    PerimeterSettings,
    RenderedPolicy,
    render_rcp,
    render_scp,
)
from ecr_access.perimeter.settings import settings_from_rules
from ecr_access.perimeter.template import perimeter_template
from ecr_access.policy import PolicyError


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="the rules' TOML settings (as for `scan --config`)")
    parser.add_argument("--allowed-principal-arn", action="append", default=[], metavar="PATTERN")
    parser.add_argument("--allowed-tag", metavar="KEY[=VALUE]", help="principals with this tag are exempt")
    parser.add_argument("--exclusion-tag-key", metavar="KEY", help="principals tagged KEY=true are exempt")
    parser.add_argument(
        "--tag-administrator-arn",
        action="append",
        default=[],
        metavar="PATTERN",
        help="who may set or remove the exemption tags (required when a tag exempts)",
    )
    parser.add_argument("--source-vpce", action="append", default=[], metavar="vpce-…")
    parser.add_argument("--source-ip", action="append", default=[], metavar="CIDR")
    parser.add_argument("--trusted-account", action="append", default=[], metavar="ID")
    parser.add_argument("--trusted-org", action="append", default=[], metavar="o-…")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    perimeter = subparsers.add_parser(
        "perimeter",
        help="preventive controls: render the SCP and RCP from the allow-list, check their impact",
    )
    actions = perimeter.add_subparsers(dest="action", required=True)
    render = actions.add_parser("render", help="print the SCP and RCP (minified), their sizes and warnings")
    _settings_arguments(render)
    render.add_argument("--scp-file", metavar="FILE", help="write the SCP (minified JSON) here")
    render.add_argument("--rcp-file", metavar="FILE", help="write the RCP (minified JSON) here")
    render.add_argument(
        "--cloudformation", metavar="FILE", help="write deploy/perimeter.yaml's form, with these policies"
    )
    render.add_argument(
        "--endpoint-policies",
        metavar="FILE",
        help="write deploy/endpoint-policies.yaml's form: ECR and S3 VPC endpoints with bounded policies",
    )
    render.add_argument(
        "--third-party-registry",
        action="append",
        default=[],
        metavar="ID",
        help="a registry account outside the organizations the endpoints may reach (repeatable)",
    )
    render.set_defaults(run=run_render)
    check = actions.add_parser(
        "check", help="evaluate every principal with and without the rendered SCP/RCP (exit 1: a gap)"
    )
    _settings_arguments(check)
    check.add_argument(
        "--authorization-details",
        action="append",
        required=True,
        metavar="FILE",
        help="an account's `aws iam get-account-authorization-details` output (repeatable: one per account)",
    )
    check.add_argument("--repository-policies", metavar="FILE", help="as for who-can-pull")
    check.add_argument("--registry-region", help="as for who-can-pull")
    check.add_argument("--scps", metavar="FILE", help="the SCP levels already in force")
    check.add_argument("--rcps", metavar="FILE", help="the RCP levels already in force")
    check.add_argument(
        "--organization-id", help="the accounts' organization (default: the first trusted one)"
    )
    check.add_argument(
        "--management-account",
        metavar="ID",
        help="the organization's management account: SCPs do not reach its principals",
    )
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(run=run_check)


def settings_of(args: argparse.Namespace) -> PerimeterSettings:
    """The rules' settings (``--config``), then the flags (which add to lists, replace the tag)."""
    base = settings_from_rules(from_toml(Path(args.config))) if args.config else PerimeterSettings()

    def more(given: tuple[str, ...], flags: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*given, *flags]))

    tag_key, tag_value = base.allowed_tag_key, base.allowed_tag_value
    if args.allowed_tag:
        tag_key, _, value = args.allowed_tag.partition("=")
        tag_value = value or None
        if not tag_key:
            raise UsageError("--allowed-tag takes KEY or KEY=VALUE")
    return replace(
        base,
        allowed_arn_patterns=more(base.allowed_arn_patterns, args.allowed_principal_arn),
        allowed_tag_key=tag_key,
        allowed_tag_value=tag_value,
        exclusion_tag_key=args.exclusion_tag_key,
        tag_administrator_arns=tuple(args.tag_administrator_arn),
        source_vpces=tuple(args.source_vpce),
        source_ips=tuple(args.source_ip),
        trusted_accounts=more(base.trusted_accounts, args.trusted_account),
        trusted_organizations=more(base.trusted_organizations, args.trusted_org),
    )


def _rendered(settings: PerimeterSettings) -> tuple[RenderedPolicy, RenderedPolicy | None]:
    try:
        scp = render_scp(settings)
    except PerimeterRefused as exc:
        raise UsageError(f"SCP refused: {exc}") from exc
    try:
        rcp = render_rcp(settings)
    except PerimeterRefused as exc:
        print(f"ecr-access: no RCP: {exc}", file=sys.stderr)
        rcp = None
    return scp, rcp


def _write_endpoint_policies(args: argparse.Namespace) -> None:
    from ecr_access.deployment.templates import dump
    from ecr_access.perimeter.endpoint_template import endpoint_policies_template

    settings = settings_of(args)
    template = endpoint_policies_template(
        settings.trusted_accounts, settings.trusted_organizations, args.third_party_registry
    )
    Path(args.endpoint_policies).write_text(dump(template))
    print(f"wrote {args.endpoint_policies}: ECR interface and S3 gateway endpoints with bounded policies")


def run_render(args: argparse.Namespace) -> ExitCode:
    if args.endpoint_policies:
        _write_endpoint_policies(args)
        if not (args.scp_file or args.rcp_file or args.cloudformation):
            return ExitCode.OK  # only the endpoints were asked for: the SCP needs an allow-list
    scp, rcp = _rendered(settings_of(args))
    for policy, path in ((scp, args.scp_file), (rcp, args.rcp_file)):
        if policy is not None and path:
            Path(path).write_text(policy.text)
    if args.cloudformation:
        from ecr_access.deployment.templates import dump

        Path(args.cloudformation).write_text(dump(perimeter_template(scp, rcp)))
    for policy in (scp, rcp):
        if policy is None:
            continue
        print(f"{policy.kind} ({policy.size:,} characters, minified):")
        print(policy.text)
        for warning in policy.warnings:
            print(f"  warning: {warning}")
    return ExitCode.OK


def _row(impact: Impact) -> dict[str, str | bool | None]:
    p = impact.principal
    return {
        "arn": p.arn,
        "before": impact.before.verdict.value,
        "after": impact.after.verdict.value,
        "allow_listed": impact.allow_listed,
        "loses_pull": impact.loses_pull,
        "network_only": impact.network_only,
        "violates": impact.violates,
        "reason_after": impact.after.reason,
    }


def _text(impacts: list[Impact], scp: RenderedPolicy) -> str:
    lose = [i for i in impacts if i.loses_pull]
    keep = [i for i in impacts if i.keeps_pull]
    network = [i for i in impacts if i.network_only]
    lines = [f"{len(impacts)} principals; SCP {scp.size:,} characters"]
    lines.append(f"lose pull ({len(lose)}): the pipelines that would break")
    lines += [f"  {i.principal.arn}: {i.before.verdict.value} → DENIED" for i in lose]
    lines.append(f"keep pull ({len(keep)}):")
    lines += [f"  {i.principal.arn}: {i.allow_listed or 'NOT ALLOW-LISTED'}" for i in keep]
    if network:
        lines.append(f"pull only from the exempt networks ({len(network)})")
    violations = sum(i.violates for i in impacts)
    lines.append(f"after the SCP: {violations} non-allow-listed principals can pull")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> ExitCode:
    settings = settings_of(args)
    scp, rcp = _rendered(settings)
    try:
        principals = []
        for name in args.authorization_details:
            account = load_authorization_details(authorization_pages(read_json(name), name))
            if account.rejected:
                raise UsageError(
                    f"{name}: {len(account.rejected)} entities could not be read: {account.rejected[0]}"
                )
            principals += account.principals
        registries = (
            load_repository_policies(read_json(args.repository_policies), default_region=args.registry_region)
            if args.repository_policies
            else []
        )
        scps = load_scp_levels(read_json(args.scps)) if args.scps else ()
        rcps = load_rcp_levels(read_json(args.rcps)) if args.rcps else ()
    except PolicyError as exc:
        raise UsageError(str(exc)) from exc
    organization = args.organization_id or next(iter(settings.trusted_organizations), None)
    impacts = perimeter_impact(
        principals,
        settings,
        scp=scp,
        rcp=rcp,
        scps=scps,
        rcps=rcps,
        registries=registries,
        organization_id=organization,
        management_account=args.management_account,
    )
    if args.format == "json":
        violations = sum(i.violates for i in impacts)
        print(
            json.dumps(
                {"scp_size": scp.size, "violations": violations, "principals": [_row(i) for i in impacts]},
                indent=2,
            )
        )
    else:
        print(_text(impacts, scp))
        forgotten = ", ".join(what for _, what in COMMONLY_FORGOTTEN[:3])
        print(f"(commonly forgotten: {forgotten}, …: `perimeter render` lists them)")
    return ExitCode.EXPOSED if any(i.violates for i in impacts) else ExitCode.OK
