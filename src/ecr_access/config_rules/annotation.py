"""Config annotations: at most 256 characters (PutEvaluations API reference)."""

from rdklib import Evaluation

ANNOTATION_LIMIT = 256


def fit_annotation(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= ANNOTATION_LIMIT:
        return text
    return text[: ANNOTATION_LIMIT - 1].rstrip() + "…"


def fitted_evaluation(compliance: str, resource_id: str, resource_type: str, annotation: str) -> Evaluation:
    """An rdklib Evaluation whose annotation is fitted here (rdklib would cut it its own way)."""
    return Evaluation(compliance, resource_id, resource_type, fit_annotation(annotation))
