"""Change positions in the stores of documents (`projections/document_changes.py`): a reader learns
what was written and what was deleted since it last looked, in SQLite and PostgreSQL; a reset makes
it read the whole view again; a table made before change positions gains them when its store opens,
even when another process adds them at the same moment."""

from __future__ import annotations

import sqlite3

import pytest

from bootstrap import open_records
from projections.document_changes import add_changed_column, has_row
from projections.documents import Following
from projections.registry import open_documents
from tests.test_postgres_store import SERVER, pg_settings  # noqa: F401 (a fixture)

pytestmark = pytest.mark.unit


@pytest.fixture(params=["sqlite", "postgres"])
def documents(request, settings):
    if request.param == "postgres":
        if not SERVER:
            pytest.skip("no PostgreSQL")
        settings = request.getfixturevalue("pg_settings")
    records = open_records(settings)
    yield open_documents(records)
    records.close()


def texts(changed) -> dict:
    return {k: t.replace(" ", "") for k, t in changed.docs}


def test_a_reader_learns_what_was_written_and_deleted_since_it_looked(documents):
    first = documents.changes("v", None)
    assert first.whole and first.docs == []
    documents.write("v", {"a": {"n": 1}, "b": {"n": 1}, "~x": {"n": 1}}, Following("v", 10, 0))
    whole = documents.changes("v", first.position, below="~")
    assert not whole.whole and texts(whole) == {"a": '{"n":1}', "b": '{"n":1}'} and whole.gone == []
    documents.write("v", {"a": None, "c": {"n": 2}, "nothing": None}, Following("v", 20, 10))
    later = documents.changes("v", whole.position, below="~")
    assert texts(later) == {"c": '{"n":2}'} and later.gone == ["a"]  # "nothing" was never there
    assert documents.changes("v", later.position).docs == [] and documents.changes("v", later.position).position == later.position
    documents.write("v", {"a": {"n": 3}}, Following("v", 30, 20))  # deleted, then written again
    documents.write("v", {"b": None}, Following("v", 40, 30))
    again = documents.changes("v", later.position)
    assert texts(again) == {"a": '{"n":3}'} and again.gone == ["b"]
    assert documents.changes("w", None).docs == []  # another view's position is its own
    documents.reset("v")  # a rebuild starts: what the reader holds is forgotten
    reset = documents.changes("v", again.position)
    assert reset.whole and reset.docs == [] and reset.position > again.position
    documents.write("v", {"d": {"n": 4}}, Following("v", 5, 0))  # its position back at the start, the change's on
    assert texts(documents.changes("v", reset.position)) == {"d": '{"n":4}'}


def test_a_table_made_before_change_positions_gains_them_when_its_store_opens(settings):
    records = open_records(settings)
    records.close()
    with sqlite3.connect(settings.sqlite_path or settings.data_dir / "events.sqlite") as conn:
        conn.execute("CREATE TABLE read_models (view TEXT, key TEXT, doc TEXT, PRIMARY KEY (view, key)) WITHOUT ROWID")
        conn.execute("""INSERT INTO read_models VALUES ('v', 'a', '{"n":1}')""")
    records = open_records(settings)
    documents = open_documents(records)
    held = documents.changes("v", None)
    assert held.whole and held.docs == [("a", '{"n":1}')]
    documents.write("v", {"b": {"n": 2}}, None)
    assert documents.changes("v", held.position).docs == [("b", '{"n":2}')]
    records.close()


def test_two_processes_adding_the_column_at_once_both_open(documents):
    """The other process adds the column between this one finding it missing and adding it: the
    addition fails, is tried once more, and finds it there."""
    log, datastore = documents.log, documents.datastore
    integer = "INTEGER" if documents.marker == "?" else "bigint"
    probe = ("SELECT 1 FROM pragma_table_info('read_models') WHERE name = 'changed'", []) if documents.marker == "?" else (
        "SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = 'read_models' "
        "AND column_name = 'changed'", [datastore.schema])
    looked = []

    def missing_at_first(c) -> bool:
        looked.append(1)
        return len(looked) > 1 and has_row(*probe)(c)

    add_changed_column(datastore, log, integer, missing_at_first)
    assert len(looked) == 2
    documents.write("v", {"a": {"n": 1}}, None)
    assert [k for k, _ in documents.changes("v", 0).docs] == ["a"]
