"""The stylesheet is served by the app itself, with no collectstatic step."""

from __future__ import annotations


def test_it_serves_the_stylesheet_the_pages_link_to(client, db):
    page = client.get("/").content.decode()
    assert 'href="/static/consulta/consulta.css"' in page
    response = client.get("/static/consulta/consulta.css")
    assert response.status_code == 200
    assert b".skip-link" in b"".join(response.streaming_content)
