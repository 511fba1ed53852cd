"""One CAPA's page (/capa/<id>) through Dash's HTTP interface, on the hand-made data (CAPAs 1 and
2 at P01, naming no line or code; closed on 15 March, on time, and 25 March, late), and the
links to it from the CAPA and audit grids."""

from __future__ import annotations

import pytest

from tests.app.test_app import route
from tests.app.test_capa_page import MARCH, records


def text_of(client, path: str, search: str = "") -> str:
    response = route(client, path, search)
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\\u002f", "/")


def test_the_page_request_brings_the_capa(client) -> None:
    text = text_of(client, "/capa/2", "?period=12m&plant=P01")
    assert '"children":"CAPA 2"' in text and '"children":"Closed late"' in text and "Traceback" not in text
    assert "closed after 52 days, 5 days after its due date" in text
    assert "names no line and no defect code" in text
    assert '"href":"/capa?period=12m&plant=P01"' in text  # back to the list as it was


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/capa/abc", "'abc' is not a CAPA number"),
        ("/capa/%3Cscript%3E", "is not a CAPA number"),
        ("/capa/99999", "There is no CAPA 99999"),
        ("/capa/1.5", "is not a CAPA number"),
    ],
)
def test_a_bad_or_unknown_number_gets_a_sentence(client, path: str, message: str) -> None:
    text = text_of(client, path)
    assert message in text and "Traceback" not in text and "<script>" not in text


def test_the_back_link_keeps_only_plain_list_parameters(client) -> None:
    text = text_of(client, "/capa/1", "?period=%3Cb%3E&owner=x&plant=P01")
    assert '"href":"/capa?period=%3Cb%3E&plant=P01"' in text  # encoded; the list validates it again
    assert "owner" not in text.split('"href":"/capa?')[1].split('"')[0]


def test_a_bug_while_building_leaves_a_message_and_the_way_back(client, monkeypatch, caplog) -> None:
    import dash

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail of a bug")

    page = next(p for p in dash.page_registry.values() if p.get("path_template") == "/capa/<capa_id>")
    monkeypatch.setitem(page["layout"].__globals__, "build_capa_detail", broken)
    text = text_of(client, "/capa/1")
    assert "could not be built because of an unexpected error" in text and "All CAPAs" in text
    assert "secret detail" not in text and "Traceback" not in text
    assert "Building /capa/<id> failed" in caplog.text


def test_the_page_says_when_the_database_is_gone(app, client, seeded_sqlite: str) -> None:
    from pathlib import Path

    from dashboard.state import EXTENSION

    app.server.extensions[EXTENSION].repository.sources.dispose()
    path = Path(seeded_sqlite.removeprefix("sqlite:///"))
    path.rename(path.with_name("moved.db"))
    text = text_of(client, "/capa/1")
    assert "quality database" in text and "Traceback" not in text and "All CAPAs" in text


def test_the_capa_list_links_each_number_to_its_page(client) -> None:
    block = records(client, MARCH, {"startRow": 0, "endRow": 100}).get_json()["response"]["capa-records"]["getRowsResponse"]
    links = sorted(row["capa_link"] for row in block["rowData"])
    assert links == [
        "[1](/capa/1?period=custom&start=2026-03-01&end=2026-03-31)",
        "[2](/capa/2?period=custom&start=2026-03-01&end=2026-03-31)",
    ]
    assert sorted(row["capa_id"] for row in block["rowData"]) == [1, 2]  # sorting and export keep the number


def test_the_defects_page_says_which_capas_address_its_line(client) -> None:
    text = text_of(client, "/defects", "?period=custom&start=2026-03-01&end=2026-03-31&plant=P01&line=P01-L01")
    assert "No CAPA addresses line P01-L01 in this period." in text  # the seed's CAPAs name no line or code
    assert "defects-capas" not in text_of(client, "/defects", "?period=custom&start=2026-03-01&end=2026-03-31&plant=P01")
