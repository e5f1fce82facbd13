"""Finding and streaming a mongodump's collection files."""

from __future__ import annotations

import gzip

import bson
import pytest

from chatapp.importer import dump


def test_the_database_directory_is_found_under_the_dump(tmp_path):
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "system.version.bson").write_bytes(bson.encode({"_id": 1}))
    (tmp_path / "LibreChat").mkdir()
    (tmp_path / "LibreChat" / "users.bson").write_bytes(b"")
    assert dump.database_dir(tmp_path) == tmp_path / "LibreChat"
    assert dump.database_dir(tmp_path / "LibreChat") == tmp_path / "LibreChat"


def test_two_databases_or_none_is_an_error(tmp_path):
    with pytest.raises(dump.DumpError, match="none"):
        dump.database_dir(tmp_path)
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "users.bson").write_bytes(b"")
    with pytest.raises(dump.DumpError, match="one, two"):
        dump.database_dir(tmp_path)


def test_gzipped_files_stream_and_a_missing_collection_is_empty(tmp_path):
    with gzip.open(tmp_path / "users.bson.gz", "wb") as packed:
        packed.write(bson.encode({"n": 1}) + bson.encode({"n": 2}))
    assert [d["n"] for d in dump.documents(tmp_path, "users")] == [1, 2]
    assert list(dump.documents(tmp_path, "messages")) == []


def test_a_truncated_file_names_the_document_where_it_breaks(tmp_path):
    data = bson.encode({"n": 1}) + bson.encode({"n": 2})
    (tmp_path / "messages.bson").write_bytes(data[:-3])
    read = []
    with pytest.raises(dump.BrokenFile, match="messages: document #2"):
        read.extend(dump.documents(tmp_path, "messages"))
    assert read == [{"n": 1}]


def test_the_collections_of_a_dump(tmp_path):
    for name in ("users.bson", "prompts.bson.gz", "users.metadata.json", "files.bson"):
        (tmp_path / name).write_bytes(b"")
    assert dump.collections(tmp_path) == {"users", "prompts", "files"}
