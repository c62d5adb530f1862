"""CloudTrail files streamed record by record: the same records as decoding the file whole, whatever
the chunking and layout, in a buffer bounded by one record plus a chunk; bad files fail after the
records before the fault, never with a wrong record."""

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_detection_pulls import USER, assumed_role, record

from ecr_access.detection import cloudtrail_files
from ecr_access.detection.cloudtrail_files import records_of

RECORDS = [record(assumed_role(session=f"s{n}"), time=f"2026-11-30T10:{n % 60:02}:00Z") for n in range(50)]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=5), max_size=12),
    chunk=st.integers(min_value=1, max_value=64),
    indent=st.sampled_from([None, 0, 2]),
    other_keys=st.booleans(),
)
def test_streaming_gives_exactly_the_records_of_decoding_whole(
    tmp_path_factory, monkeypatch, records, chunk, indent, other_keys
):
    monkeypatch.setattr(cloudtrail_files, "CHUNK_CHARS", chunk)
    document = {"Records": records, **({"Digest": {"x": [1, 2.5, "y"]}, "n": 12345} if other_keys else {})}
    path = tmp_path_factory.mktemp("logs") / "file.json"
    path.write_text(json.dumps(document, indent=indent))
    assert list(records_of(path)) == records


@pytest.mark.parametrize(
    ("layout", "writer"),
    [
        pytest.param(
            "delivered-gzip",
            lambda p, rs: p.write_bytes(gzip.compress(json.dumps({"Records": rs}).encode())),
            id="s3-delivery-gzip",
        ),
        pytest.param(
            "pretty", lambda p, rs: p.write_text(json.dumps({"Records": rs}, indent=4)), id="pretty-printed"
        ),
        pytest.param(
            "lines",
            lambda p, rs: p.write_text("\n".join(json.dumps(r) for r in rs) + "\n"),
            id="lake-export-lines",
        ),
        pytest.param(
            "one-line-log",
            lambda p, rs: p.write_text(json.dumps({"Digest": 1, "Records": rs}) + "\n"),
            id="records-not-first-key",
        ),
    ],
)
def test_every_layout_reads_the_same_records_in_small_chunks(tmp_path, monkeypatch, layout, writer):
    monkeypatch.setattr(cloudtrail_files, "CHUNK_CHARS", 97)  # records straddle every chunk boundary
    path = tmp_path / ("f.json.gz" if layout == "delivered-gzip" else "f.json")
    writer(path, RECORDS)
    assert list(records_of(path)) == RECORDS


def test_the_buffer_holds_one_record_and_a_chunk_not_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(cloudtrail_files, "CHUNK_CHARS", 256)
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"Records": RECORDS * 40}))  # 2,000 records
    largest, original = [0], cloudtrail_files._Reader.refill

    def watched(self, at_least=256):
        grew = original(self, at_least)
        largest[0] = max(largest[0], len(self.buffer))
        return grew

    monkeypatch.setattr(cloudtrail_files._Reader, "refill", watched)
    assert sum(1 for _ in records_of(path)) == 2_000
    longest_record = max(len(json.dumps(r)) for r in RECORDS)
    assert largest[0] <= 2 * longest_record + 2 * 256 < path.stat().st_size // 100


@pytest.mark.parametrize(
    ("text", "before_fault", "message"),
    [
        pytest.param(
            '{"Records": [' + json.dumps(USER) + ", {", 1, "Expecting", id="truncated-after-one-record"
        ),
        pytest.param(
            '{"Records": [' + json.dumps(USER) + " " + json.dumps(USER) + "]}",
            1,
            "expected one of",
            id="missing-comma",
        ),
        pytest.param('{"Records": [1, 2', 0, "expected one of", id="truncated-in-a-number"),
        pytest.param('{"Records": []', 0, "expected one of", id="unclosed-document"),
    ],
)
def test_a_malformed_file_fails_after_the_records_before_the_fault(tmp_path, text, before_fault, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    read = []
    with pytest.raises(ValueError, match=message):
        read.extend(records_of(path))
    assert len(read) == before_fault


def test_a_record_beyond_the_bound_is_refused_not_buffered(tmp_path, monkeypatch):
    monkeypatch.setattr(cloudtrail_files, "MAX_RECORD_CHARS", 10_000)
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"Records": [{"x": "y" * 50_000}]}))
    with pytest.raises(ValueError, match="longer than 10,000"):
        list(records_of(path))


def test_the_pulls_command_shows_a_bar_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    from ecr_access.cli import pulls

    (tmp_path / "a.json").write_text(json.dumps({"Records": [record(USER)]}))
    advanced = []
    real = pulls.pull_history

    def counting(paths, *, since=None, done=None):
        return real(paths, since=since, done=(lambda p: (advanced.append(p), done(p))) if done else None)

    monkeypatch.setattr(pulls, "pull_history", counting)
    piped = pulls._read([tmp_path], None, show_progress=False)
    assert advanced == [] and len(piped.principals) == 1
    on_terminal = pulls._read([tmp_path], None, show_progress=True)
    assert [p.name for p in advanced] == [
        "a.json"
    ] and on_terminal.principals.keys() == piped.principals.keys()
