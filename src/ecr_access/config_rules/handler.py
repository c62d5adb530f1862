"""Running an rdklib ConfigRule for one Config event, failing closed and losing nothing.

Change-triggered events go as rdklib runs them (oversized notifications inflated,
deleted or not-recorded resources NOT_APPLICABLE). Periodic runs differ from
rdklib's Evaluator in three ways:
- old results are retired as NOT_APPLICABLE only for resources absent from a
  *complete* listing — never for one that failed to be read;
- with ``ReportOnlyChanges`` only evaluations whose compliance or annotation
  changed are put (Config bills each recorded evaluation);
- resources that could not be read get no evaluation (their last result stands)
  and the run raises at the end, after everything else has been put, so the
  Config console shows the rule's error.
Every phase runs against the invocation's deadline (deadline.py), and a failed
side read (the prior results) costs only the filtering, never the evaluations.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from rdklib import ComplianceType, ConfigRule, Evaluation, InvalidParametersError
from rdklib.util.service import (
    build_parameters_value_error_response,
    inflate_oversized_notification,
    is_applicable_status,
)

from ecr_access.config_rules.annotation import fit_annotation
from ecr_access.config_rules.clients import RuleClients
from ecr_access.config_rules.deadline import Deadline
from ecr_access.config_rules.outcome import PeriodicOutcome
from ecr_access.config_rules.parameters import RDKLIB_PARAMETERS
from ecr_access.config_rules.prior_results import PriorResult, read_prior_results
from ecr_access.config_rules.put_evaluations import put_evaluations

log = logging.getLogger("ecr_access.config_rules")
CHANGE_MESSAGES = ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification")


class SweepIncomplete(RuntimeError):
    """Some resources could not be evaluated; every other evaluation was put first."""


def _as_json(evaluation: Evaluation, timestamp: str) -> dict[str, Any]:
    evaluation.orderingTimestamp = timestamp
    evaluation.annotation = fit_annotation(evaluation.annotation or "")
    evaluation.is_valid()
    return evaluation.get_json()


def _retirements(
    prior: Iterable[PriorResult], outcome: PeriodicOutcome, timestamp: str
) -> list[dict[str, Any]]:
    if outcome.universe is None:
        return []  # the listing is incomplete: a missing resource may only be unlisted, not gone
    vanished = [
        p
        for p in prior
        if p.resource_type in outcome.resource_types
        and p.resource_id not in outcome.universe
        and p.compliance != ComplianceType.NOT_APPLICABLE
    ]
    gone = "resource no longer exists"
    return [
        _as_json(Evaluation(ComplianceType.NOT_APPLICABLE, p.resource_id, p.resource_type, gone), timestamp)
        for p in vanished
    ]


def periodic_evaluations(
    outcome: PeriodicOutcome,
    prior: dict[tuple[str, str], PriorResult] | None,
    timestamp: str,
    *,
    only_changes: bool,
) -> list[dict[str, Any]]:
    """What to put. ``prior`` None (not read completely): every evaluation, no retirement."""
    current = [_as_json(e, timestamp) for e in outcome.evaluations]
    if prior is None:
        return current
    if only_changes:
        current = [
            e
            for e in current
            if (p := prior.get((e["ComplianceResourceType"], e["ComplianceResourceId"]))) is None
            or (p.compliance, p.annotation) != (e["ComplianceType"], e.get("Annotation", ""))
        ]
    return current + _retirements(prior.values(), outcome, timestamp)


def rule_parameters(event: dict[str, Any]) -> dict[str, Any]:
    """The event's ruleParameters as a dict; anything but a JSON object is a parameter error."""
    raw = event.get("ruleParameters")
    if raw in (None, ""):
        return {}
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise InvalidParametersError(f"ruleParameters is not valid JSON: {exc.msg}") from exc
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise InvalidParametersError(
            f"ruleParameters must be a JSON object of parameter names to values, not {type(parsed).__name__}"
        )
    return parsed


def handle(
    rule: ConfigRule,
    event: dict[str, Any],
    context: Any,
    *,
    resource_types: Iterable[str],
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any] | None:
    """The rule's lambda_handler body. Returns rdklib's error response for bad parameters."""
    try:
        parameters = rule.evaluate_parameters(rule_parameters(event))
    except InvalidParametersError as exc:
        return build_parameters_value_error_response(exc)
    deadline = Deadline(context)
    # rdklib's role helpers parse ruleParameters again, unchecked: give them the validated values.
    validated = {k: v for k, v in parameters.items() if k in RDKLIB_PARAMETERS}
    if "AssumeRoleMode" in validated:
        validated["AssumeRoleMode"] = "true" if validated["AssumeRoleMode"] else "false"
    rdklib_view = {**event, "ruleParameters": json.dumps(validated)}
    clients = RuleClients(
        rule.get_execution_role_arn(rdklib_view),
        rule.get_assume_role_region(rdklib_view),
        rule.get_assume_role_mode(rdklib_view),
        deadline,
    )
    invoking = json.loads(event["invokingEvent"])
    config = clients.build_client("config")
    message = invoking["messageType"]

    if message == "ScheduledNotification":
        outcome: PeriodicOutcome = rule.evaluate_periodic(event, clients, parameters)
        prior = read_prior_results(config, event["configRuleName"], deadline)
        timestamp = invoking["notificationCreationTime"]
        only_changes = bool(parameters.get("ReportOnlyChanges"))
        evaluations = periodic_evaluations(outcome, prior, timestamp, only_changes=only_changes)
        put_evaluations(
            config, evaluations, result_token=event["resultToken"], sleep=sleep, deadline=deadline
        )
        log.info("put %d evaluation(s), %d resource(s) failed", len(evaluations), len(outcome.failures))
        if outcome.failures:
            shown = ", ".join(outcome.failures[:20]) + (" …" if len(outcome.failures) > 20 else "")
            raise SweepIncomplete(f"{len(outcome.failures)} resource(s) were not evaluated: {shown}")
        return None

    if message not in CHANGE_MESSAGES:
        raise ValueError(f"unexpected Config message type {message!r}")
    if message == "OversizedConfigurationItemChangeNotification":
        invoking = inflate_oversized_notification(config, invoking)
    item = invoking["configurationItem"]
    if is_applicable_status(item, event) and item["resourceType"] in set(resource_types):
        results = rule.evaluate_change(event, clients, item, parameters)
    else:
        results = [Evaluation(ComplianceType.NOT_APPLICABLE, annotation="resource deleted or out of scope")]
    evaluations = []
    for evaluation in results:
        evaluation.complianceResourceId = evaluation.complianceResourceId or item["resourceId"]
        evaluation.complianceResourceType = evaluation.complianceResourceType or item["resourceType"]
        evaluations.append(_as_json(evaluation, item["configurationItemCaptureTime"]))
    put_evaluations(config, evaluations, result_token=event["resultToken"], sleep=sleep, deadline=deadline)
    return None
