"""RDK unit tests for ECR_VPC_ENDPOINT_RESTRICTED (run by `rdk test-local --all` from rules/).

The rule's methods are called as rdklib calls them, with a mocked client factory. The
end-to-end tests (lambda_handler, moto EC2, captured PutEvaluations) live in
tests/test_rule_vpc_endpoint_restricted.py.
"""

import json
import unittest
from unittest.mock import MagicMock

from rdklib import ComplianceType, InvalidParametersError

MODULE = __import__("ECR_VPC_ENDPOINT_RESTRICTED")
RULE = MODULE.ECR_VPC_ENDPOINT_RESTRICTED()
ACCOUNT = "111122223333"
ORG = "o-a1b2c3d4e5"
BOUNDED = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:ResourceOrgID": ORG}},
            }
        ],
    }
)


def item(service, document):
    return {
        "resourceId": "vpce-0a1b2c3d4e5f60718",
        "resourceType": "AWS::EC2::VPCEndpoint",
        "awsAccountId": ACCOUNT,
        "configurationItemStatus": "OK",
        "configuration": {
            "vpcEndpointId": "vpce-0a1b2c3d4e5f60718",
            "vpcEndpointType": "Interface",
            "serviceName": service,
            "state": {"value": "available"},
            "policyDocument": document,
        },
    }


class ChangeTriggeredTest(unittest.TestCase):
    def test_a_bounded_ecr_endpoint_is_compliant(self):
        parameters = RULE.evaluate_parameters({"TrustedOrganizationIds": ORG})
        (evaluation,) = RULE.evaluate_change(
            {}, MagicMock(), item("com.amazonaws.us-east-1.ecr.dkr", BOUNDED), parameters
        )
        self.assertEqual(evaluation.complianceType, ComplianceType.COMPLIANT)

    def test_the_same_policy_without_trusting_the_organization_is_not(self):
        parameters = RULE.evaluate_parameters({})
        (evaluation,) = RULE.evaluate_change(
            {}, MagicMock(), item("com.amazonaws.us-east-1.ecr.api", BOUNDED), parameters
        )
        self.assertEqual(evaluation.complianceType, ComplianceType.NON_COMPLIANT)

    def test_other_services_are_not_applicable(self):
        parameters = RULE.evaluate_parameters({})
        (evaluation,) = RULE.evaluate_change(
            {}, MagicMock(), item("com.amazonaws.us-east-1.sts", BOUNDED), parameters
        )
        self.assertEqual(evaluation.complianceType, ComplianceType.NOT_APPLICABLE)


class ParametersTest(unittest.TestCase):
    def test_a_malformed_third_party_account_is_refused(self):
        with self.assertRaises(InvalidParametersError):
            RULE.evaluate_parameters({"AllowedThirdPartyRegistryAccounts": "6024011434"})


if __name__ == "__main__":
    unittest.main()
