"""The app store on a real SQLite file and a real PostgreSQL database: migrations, writes,
concurrency, failures and restarts."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from dashboard.errors import StoreUnavailable
from dashboard.store.interface import CheckinEntry
from dashboard.store.sql import SqlAppStore

ENTRY = CheckinEntry("2026-Q4-T02-K1", dt.date(2026, 11, 20), 2.9, 8, "Scrap <b>stable</b>", "anonymous")


def drop_connections(url: str) -> None:
    """What a PostgreSQL restart does to clients: every other connection to the database is cut."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url: str):
    app_store = SqlAppStore(store_url)
    app_store.upgrade()
    yield app_store
    app_store.dispose()


def test_upgrade_creates_the_schema_at_head_and_is_idempotent(store: SqlAppStore) -> None:
    assert store.revision() == SqlAppStore.head() == "0001"
    store.upgrade()
    assert store.revision() == "0001"
    tables = set(sa.inspect(store.engine).get_table_names())
    assert {"store_checkins", "store_review_editions", "store_display_tokens", "alembic_version"} <= tables


def test_downgrade_and_upgrade_again(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from dashboard.store.sql import MIGRATIONS

    app_store = SqlAppStore(store_url)
    app_store.upgrade()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with app_store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert "store_checkins" not in sa.inspect(app_store.engine).get_table_names()
    app_store.upgrade()
    assert app_store.revision() == "0001"
    app_store.dispose()


def test_a_checkin_is_written_and_read_back_as_given(store: SqlAppStore) -> None:
    written = store.add_checkin(ENTRY)
    assert written.checkin_id > 0 and written.recorded_at is not None
    [read] = store.checkins(["2026-Q4-T02-K1"])
    assert (read.key_result_id, read.checkin_date, read.value, read.confidence) == ("2026-Q4-T02-K1", ENTRY.checkin_date, 2.9, 8)
    assert read.comment == "Scrap <b>stable</b>"  # stored as typed; pages render it as text
    assert read.author == "anonymous" and read.recorded_at.tzinfo is not None
    assert store.checkins(["other"]) == [] and store.checkins([]) == []


def test_two_people_checking_in_at_once_both_land(store: SqlAppStore) -> None:
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def write(number: int) -> None:
        barrier.wait()
        try:
            store.add_checkin(CheckinEntry("KR", dt.date(2026, 11, 20), float(number), None, None, f"user {number}"))
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(c.value for c in store.checkins(["KR"])) == [float(n) for n in range(8)]


def test_a_failed_write_raises_a_sentence_and_leaves_nothing_half_written(store: SqlAppStore) -> None:
    too_long = CheckinEntry("K" * 200, dt.date(2026, 11, 20), 1.0, None, None, "x")  # beyond String(64) on PostgreSQL
    if store.engine.dialect.name == "sqlite":  # SQLite does not enforce lengths: break the table instead
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON store_checkins BEGIN SELECT RAISE(ABORT, 'no'); END"
            )
    with pytest.raises(StoreUnavailable, match="Your entry is still in the form"):
        store.add_checkin(too_long)
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM store_checkins")).scalar_one() == 0


def test_an_unreachable_store_says_so() -> None:
    store = SqlAppStore("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=1)
    with pytest.raises(StoreUnavailable, match="did not answer"):
        store.checkins(["KR"])
    with pytest.raises(StoreUnavailable, match="Could not save the check-in"):
        store.add_checkin(ENTRY)


def test_checkins_survive_a_restart(store_url: str) -> None:
    first = SqlAppStore(store_url)
    first.upgrade()
    first.add_checkin(ENTRY)
    first.dispose()  # the process goes away
    if store_url.startswith("postgresql"):  # and the server drops every connection
        drop_connections(store_url)
    second = SqlAppStore(store_url)
    second.upgrade()
    assert [c.value for c in second.checkins([ENTRY.key_result_id])] == [2.9]
    second.dispose()


def test_a_dropped_connection_is_replaced_before_the_next_write(pg_url: str) -> None:
    store = SqlAppStore(pg_url)
    store.upgrade()
    store.add_checkin(ENTRY)
    drop_connections(pg_url)
    store.add_checkin(ENTRY)  # the pooled connection is dead; pre-ping replaces it
    assert len(store.checkins([ENTRY.key_result_id])) == 2
    store.dispose()


def test_editions_are_frozen_and_listed_newest_first(store: SqlAppStore) -> None:
    as_of = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)
    first = store.add_edition("period=90d", "Last 90 days", as_of, {"dpmo": 412.0, "grades": {"S017": "B"}}, "anonymous")
    second = store.add_edition("period=90d", "Last 90 days", as_of, {"dpmo": 380.0, "grades": {"S017": "C"}}, "Ann")
    assert second.edition_id > first.edition_id
    assert [e.edition_id for e in store.latest_editions()] == [second.edition_id, first.edition_id]
    again = store.edition(first.edition_id)
    assert again is not None and again.payload == {"dpmo": 412.0, "grades": {"S017": "B"}}
    assert again.as_of == as_of and again.created_by == "anonymous"
    assert store.edition(999) is None


def test_display_links_are_hashed_and_revocable(store: SqlAppStore) -> None:
    record, token = store.create_display_token("Hall 3 screen", "Ann")
    assert store.display_token_valid(token)
    assert not store.display_token_valid(token + "x") and not store.display_token_valid("")
    with store.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT token_hash FROM store_display_tokens")).scalar_one()
    assert token not in stored and len(stored) == 64
    assert store.revoke_display_token(record.token_id)
    assert not store.revoke_display_token(record.token_id)
    assert not store.display_token_valid(token)
    [listed] = store.display_tokens()
    assert listed.label == "Hall 3 screen" and listed.revoked_at is not None
