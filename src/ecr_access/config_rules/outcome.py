"""What a periodic evaluation hands back to the handler."""

from dataclasses import dataclass, field

from rdklib import Evaluation


@dataclass(slots=True)
class PeriodicOutcome:
    evaluations: list[Evaluation]
    # Every resource id that exists now, evaluated or not. None when the listing
    # itself is incomplete: then no old result may be retired as vanished.
    universe: frozenset[str] | None
    resource_types: frozenset[str]  # the types this run is authoritative for
    # Resources that could not be read or evaluated (logged, named in the final error).
    failures: list[str] = field(default_factory=list)
    # Resource id → the name a person reads, where they differ (an IAM unique id → the ARN).
    # Config shows the name itself; `ecr-access scan` reports have only this.
    names: dict[str, str] = field(default_factory=dict)
