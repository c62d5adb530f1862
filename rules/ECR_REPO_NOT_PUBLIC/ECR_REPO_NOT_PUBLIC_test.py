"""RDK unit tests for ECR_REPO_NOT_PUBLIC (run by `rdk test-local --all` from rules/).

The rule's methods are called as rdklib calls them, with a mocked client factory.
The end-to-end tests (lambda_handler, moto, captured PutEvaluations) live in
tests/test_rule_repo_not_public.py.
"""

import json
import unittest
from unittest.mock import MagicMock

from botocore.exceptions import ClientError
from rdklib import ComplianceType, InvalidParametersError

MODULE = __import__("ECR_REPO_NOT_PUBLIC")
RULE = MODULE.ECR_REPO_NOT_PUBLIC()
ACCOUNT = "111122223333"
PUBLIC = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "pub", "Effect": "Allow", "Principal": "*", "Action": "ecr:GetDownloadUrlForLayer"}
        ],
    },
    indent=2,
)


def item(policy_text):
    return {
        "resourceId": "team/app",
        "resourceType": "AWS::ECR::Repository",
        "awsAccountId": ACCOUNT,
        "configurationItemStatus": "OK",
        "configurationItemCaptureTime": "2026-11-20T09:58:12.345Z",
        "tags": {},
        "configuration": {"RepositoryName": "team/app", "RepositoryPolicyText": policy_text},
    }


class ChangeTriggeredTest(unittest.TestCase):
    def setUp(self):
        self.parameters = RULE.evaluate_parameters({})

    def test_public_policy_text_is_non_compliant(self):
        (evaluation,) = RULE.evaluate_change({}, MagicMock(), item(PUBLIC), self.parameters)
        self.assertEqual(evaluation.complianceType, ComplianceType.NON_COMPLIANT)
        self.assertEqual(evaluation.complianceResourceId, "team/app")
        self.assertIn('Statement "pub" (#0) lets anyone (Principal *)', evaluation.annotation)

    def test_no_policy_object_is_compliant(self):
        (evaluation,) = RULE.evaluate_change({}, MagicMock(), item({}), self.parameters)
        self.assertEqual(evaluation.complianceType, ComplianceType.COMPLIANT)

    def test_unparsable_policy_is_never_compliant(self):
        (evaluation,) = RULE.evaluate_change({}, MagicMock(), item("{not json"), self.parameters)
        self.assertEqual(evaluation.complianceType, ComplianceType.NON_COMPLIANT)
        self.assertTrue(evaluation.annotation.startswith("policy could not be analysed:"))


class ParametersTest(unittest.TestCase):
    def test_trusted_ids_are_parsed(self):
        parsed = RULE.evaluate_parameters(
            {"TrustedAccountIds": "222233334444, 333344445555", "TrustedOrganizationIds": "o-a1b2c3d4e5"}
        )
        self.assertEqual(parsed["settings"].trusted_accounts, ("222233334444", "333344445555"))
        self.assertEqual(parsed["settings"].trusted_organizations, ("o-a1b2c3d4e5",))

    def test_bad_account_id_is_refused(self):
        with self.assertRaises(InvalidParametersError):
            RULE.evaluate_parameters({"TrustedAccountIds": "1234"})


class PeriodicTest(unittest.TestCase):
    def test_every_listed_repository_is_judged_and_failures_are_kept(self):
        ecr = MagicMock()
        ecr.get_paginator.return_value.paginate.return_value = [
            {
                "repositories": [
                    {
                        "repositoryName": name,
                        "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{name}",
                        "registryId": ACCOUNT,
                    }
                    for name in ("public", "none", "denied")
                ]
            }
        ]

        def get_repository_policy(repositoryName, registryId):
            if repositoryName == "public":
                return {"policyText": PUBLIC}
            code = (
                "RepositoryPolicyNotFoundException" if repositoryName == "none" else "AccessDeniedException"
            )
            raise ClientError({"Error": {"Code": code, "Message": "x"}}, "GetRepositoryPolicy")

        ecr.get_repository_policy.side_effect = get_repository_policy
        # the registry's own paths: replication to an untrusted account
        ecr.describe_registry.return_value = {
            "registryId": ACCOUNT,
            "replicationConfiguration": {
                "rules": [{"destinations": [{"region": "eu-west-1", "registryId": "999988887777"}]}]
            },
        }
        ecr.get_registry_policy.side_effect = ClientError(
            {"Error": {"Code": "RegistryPolicyNotFoundException", "Message": "x"}}, "GetRegistryPolicy"
        )
        factory = MagicMock()
        factory.build_client.return_value = ecr
        outcome = RULE.evaluate_periodic({}, factory, RULE.evaluate_parameters({}))
        results = {e.complianceResourceId: e.complianceType for e in outcome.evaluations}
        self.assertEqual(results, {"public": "NON_COMPLIANT", "none": "COMPLIANT", ACCOUNT: "NON_COMPLIANT"})
        self.assertEqual(
            outcome.failures,
            ["denied: AccessDeniedException: x (missing permission ecr:GetRepositoryPolicy)"],
        )
        self.assertEqual(outcome.universe, frozenset({"public", "none", "denied", ACCOUNT}))


if __name__ == "__main__":
    unittest.main()
