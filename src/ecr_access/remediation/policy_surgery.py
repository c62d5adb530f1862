"""Narrowing a repository policy by surgery on its text: remove principals, add bounds, nothing else.

Every edit here can only take access away (IAM User Guide, "Policy evaluation
logic": a statement applies only when its Principal covers the caller and all its
conditions hold, and conditions of one statement are ANDed):
- removing a principal value, a key of the Principal element, or a statement;
- adding a condition key to ``StringEquals`` (ANDed with everything already there);
- intersecting the values of an existing ``StringEquals`` key with the bound
  (never adding a value that was not there).
A statement that mixes AWS and Service principals is split in two, so that each
half gets the key its callers carry: ``aws:PrincipalOrgID`` for IAM principals,
``aws:SourceOrgID`` for services acting for a customer ("AWS global condition
context keys"; services never carry ``aws:PrincipalOrgID``). Untouched
statements, and the untouched parts of touched ones, keep their bytes.
"""

from ecr_access.remediation.json_spans import (
    Member,
    Span,
    encoded,
    part_text,
    read_spans,
    rebuild,
    string_list,
)

PRINCIPAL_ORG = "aws:PrincipalOrgID"
SOURCE_ORG = "aws:SourceOrgID"


def _parts(text: str, container: Span) -> list[str]:
    return [part_text(text, p) for p in (container.members or container.items)]


def _with_member(text: str, container: Span, name: str, value_text: str | None) -> str:
    """The object with member ``name``'s value replaced (None: removed), or appended when absent."""
    pieces, found = [], False
    for member in container.members:
        if member.key != name:
            pieces.append(part_text(text, member))
        else:
            found = True
            if value_text is not None:
                pieces.append(text[member.start : member.value.start] + value_text)
    if not found and value_text is not None:
        pieces.append(f"{encoded(name)}: {value_text}")
    return rebuild(text, container, pieces)


def _member_ci(container: Span, name: str) -> Member | None:
    return next((m for m in container.members if m.key.lower() == name.lower()), None)


def without_principals(statement_text: str, flagged: frozenset[str]) -> str | None:
    """The statement without the flagged principal values; None when none would remain."""
    statement = read_spans(statement_text)
    principal = statement.member("Principal")
    if principal is None:  # Allow + NotPrincipal: everyone but a few; only removal narrows it
        return None
    value = principal.value
    if value.kind == "string":
        return None if value.value in flagged else statement_text
    kept: list[str] = []
    for member in value.members:
        items = member.value.items if member.value.kind == "array" else (member.value,)
        keep = [
            part_text(statement_text, i) for i in items if not (i.kind == "string" and i.value in flagged)
        ]
        if len(keep) == len(items):
            kept.append(part_text(statement_text, member))
        elif keep and member.value.kind == "array":
            kept.append(
                statement_text[member.start : member.value.start]
                + rebuild(statement_text, member.value, keep)
            )
    if not kept:
        return None
    return _with_member(statement_text, statement, "Principal", rebuild(statement_text, value, kept))


def split_services(statement_text: str) -> list[str]:
    """[statement] or, when it names both Service and other principals, [others, services]."""
    statement = read_spans(statement_text)
    principal = statement.member("Principal")
    if principal is None or principal.value.kind != "object":
        return [statement_text]
    members = principal.value.members
    services = [part_text(statement_text, m) for m in members if m.key == "Service"]
    others = [part_text(statement_text, m) for m in members if m.key != "Service"]
    if not services or not others:
        return [statement_text]
    halves = []
    for pieces, suffix in ((others, ""), (services, "Services")):
        half = _with_member(
            statement_text, statement, "Principal", rebuild(statement_text, principal.value, pieces)
        )
        sid = statement.member("Sid")
        if suffix and sid is not None and sid.value.kind == "string":
            spans = read_spans(half)
            half = _with_member(half, spans, "Sid", encoded(sid.value.value + suffix))
        halves.append(half)
    return halves


def only_services(statement_text: str) -> bool:
    principal = read_spans(statement_text).member("Principal")
    return (
        principal is not None
        and principal.value.kind == "object"
        and bool(principal.value.members)
        and all(m.key == "Service" for m in principal.value.members)
    )


def bounded(statement_text: str, key: str, organizations: tuple[str, ...]) -> str | None:
    """The statement with ``StringEquals key: organizations`` ANDed in; an existing StringEquals
    test of the same key is intersected instead (None when nothing would remain)."""
    statement = read_spans(statement_text)
    condition = statement.member("Condition")
    new_test = f"{encoded(key)}: {encoded(list(organizations))}"
    if condition is None:
        return _with_member(statement_text, statement, "Condition", f'{{"StringEquals": {{{new_test}}}}}')
    operators = condition.value
    equals = _member_ci(operators, "StringEquals")
    if equals is None:
        tests_text = f"{{{new_test}}}"
    else:
        existing = _member_ci(equals.value, key)
        if existing is None:
            tests_text = rebuild(
                statement_text, equals.value, [*_parts(statement_text, equals.value), new_test]
            )
        else:
            wanted = {o.lower() for o in organizations}
            kept = [v for v in string_list(existing.value) if v.lower() in wanted]
            if not kept:
                return None  # bounded to organizations outside the bound: it grants no one
            tests_text = _with_member(statement_text, equals.value, existing.key, encoded(kept))
    operators_text = _with_member(
        statement_text, operators, equals.key if equals else "StringEquals", tests_text
    )
    return _with_member(statement_text, statement, "Condition", operators_text)


def statement_texts(policy_text: str) -> tuple[Span, Span, list[str]]:
    """The document's spans, its Statement value and each statement's text."""
    root = read_spans(policy_text)
    value = root.member("Statement").value
    items = [value] if value.kind == "object" else list(value.items)
    return root, value, [part_text(policy_text, s) for s in items]


def with_statements(policy_text: str, new: dict[int, list[str]]) -> str:
    """The document with statement ``i`` replaced by ``new[i]`` (none, one or more statement texts)."""
    root, value, texts = statement_texts(policy_text)
    pieces = [piece for i, original in enumerate(texts) for piece in new.get(i, [original])]
    if value.kind == "object":  # a single statement given as an object, not a list
        statement_value = pieces[0] if len(pieces) == 1 else "[" + ", ".join(pieces) + "]"
    else:
        statement_value = rebuild(policy_text, value, pieces)
    return _with_member(policy_text, root, "Statement", statement_value)
