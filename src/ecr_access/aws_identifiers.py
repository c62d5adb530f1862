"""The shapes of AWS identifiers the engine recognises.

- account id: 12 digits;
- organization id: ``o-`` and 10 to 32 lower-case letters or digits (Organizations API reference);
- IAM unique id as stored in policies: a four-letter prefix (``AROA`` role, ``AIDA`` user, …)
  and upper-case letters or digits (IAM User Guide, "IAM identifiers: unique identifiers").
"""

import re

ACCOUNT_ID = re.compile(r"^\d{12}$")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
IAM_UNIQUE_ID = re.compile(r"^A[A-Z]{3}[A-Z0-9]{12,}$")
