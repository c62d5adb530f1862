"""RDK unit tests for ECR_LAYER_DOWNLOAD_RESTRICTED (run by `rdk test-local --all` from rules/).

The rule's methods are called as rdklib calls them, with a mocked IAM client. The
end-to-end tests (lambda_handler, moto with AWS managed policies, captured
PutEvaluations, faults) live in tests/test_rule_layer_download_restricted.py.
"""

import json
import unittest
from unittest.mock import MagicMock
from urllib.parse import quote

from rdklib import ComplianceType, InvalidParametersError

MODULE = __import__("ECR_LAYER_DOWNLOAD_RESTRICTED")
RULE = MODULE.ECR_LAYER_DOWNLOAD_RESTRICTED()
ACCOUNT = "111122223333"
ECR_STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
ECS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def role_item(name, role_id, trust, inline):
    return {
        "resourceType": "AWS::IAM::Role",
        "resourceId": role_id,
        "resourceName": name,
        "awsAccountId": ACCOUNT,
        "configurationItemStatus": "OK",
        "configurationItemCaptureTime": "2026-11-20T09:58:12.345Z",
        "configuration": {
            "roleName": name,
            "roleId": role_id,
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "path": "/",
            "assumeRolePolicyDocument": quote(json.dumps(trust)),
            "attachedManagedPolicies": [],
            "rolePolicyList": [{"policyName": "inline", "policyDocument": quote(json.dumps(inline))}],
            "permissionsBoundary": None,
            "tags": [],
        },
    }


class ChangeTriggeredTest(unittest.TestCase):
    def judge(self, item, parameters):
        factory = MagicMock()
        (evaluation,) = RULE.evaluate_change(
            {"accountId": ACCOUNT}, factory, item, RULE.evaluate_parameters(parameters)
        )
        return evaluation

    def test_role_granted_by_inline_policy_is_non_compliant_by_unique_id(self):
        evaluation = self.judge(role_item("ci", "AROAEXAMPLECI0000001", ECS_TRUST, ECR_STAR), {})
        self.assertEqual(evaluation.complianceType, ComplianceType.NON_COMPLIANT)
        self.assertEqual(evaluation.complianceResourceId, "AROAEXAMPLECI0000001")
        self.assertEqual(evaluation.complianceResourceType, "AWS::IAM::Role")
        self.assertIn("Allowed by inline policy inline, statement #0 (ecr:* on *)", evaluation.annotation)

    def test_ecs_task_role_allow_listed_by_service_principal(self):
        parameters = {"AllowedServicePrincipals": "ecs-tasks.amazonaws.com"}
        evaluation = self.judge(role_item("task", "AROAEXAMPLETASK00001", ECS_TRUST, ECR_STAR), parameters)
        self.assertEqual(evaluation.complianceType, ComplianceType.COMPLIANT)
        self.assertTrue(evaluation.annotation.startswith("Allow-listed by AllowedServicePrincipals"))


class ParametersTest(unittest.TestCase):
    def test_allow_list_is_parsed(self):
        parsed = RULE.evaluate_parameters(
            {"AllowedPrincipalArns": "arn:aws:iam::*:role/ecr-admin-*, arn:aws:iam::*:role/x"}
        )
        self.assertEqual(
            parsed["settings"].allow_list.arn_patterns,
            ("arn:aws:iam::*:role/ecr-admin-*", "arn:aws:iam::*:role/x"),
        )

    def test_bad_flag_is_refused(self):
        with self.assertRaises(InvalidParametersError):
            RULE.evaluate_parameters({"EvaluateScps": "yes"})


if __name__ == "__main__":
    unittest.main()
