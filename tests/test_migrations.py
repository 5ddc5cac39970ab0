"""An archive made by an earlier schema version upgrades on open without losing rows."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from archive.schema import migrations
from archive.storage import Archive


def test_upgrade_from_the_first_schema_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    names = [m.name for m in migrations._migrations]
    migrations.apply(db, stop_before=names[1])  # the database as the first release made it
    assert [m.name for m in migrations.applied(db)] == names[:1]
    db["sites"].insert({"id": "s", "name": "Sở Nội vụ", "province": "Kiên Giang"})
    for n in range(3):
        db["articles"].insert(
            {
                "url_key": f"https://x.gov.vn/{n}",
                "url": f"https://x.gov.vn/{n}",
                "site": "s",
                "title": f"Hội nghị số {n}",
                "body": "Đề án 06",
                "content_hash": f"h{n}",
                "version": 1,
                "first_seen": "2024-01-01",
                "changed_at": "2024-01-01",
            }
        )
    db["contacts"].insert({"id": "c1", "site": "s", "name": "Ngô Hồng Yến"})
    db.conn.close()

    archive = Archive(path)  # applies every pending migration
    assert [m.name for m in migrations.applied(archive.db)] == names
    rows = list(archive.db.query("select url_key, title, status from articles order by id"))
    assert rows == [
        {"url_key": f"https://x.gov.vn/{n}", "title": f"Hội nghị số {n}", "status": "live"}
        for n in range(3)
    ]
    assert archive.db["contacts"].count == 1
    assert archive.db["provinces"].count == 63
    hits = archive.db.execute(
        "select count(*) from articles_fts where articles_fts match 'de an 06'"
    ).fetchone()[0]
    assert hits == 3
    archive.close()
    assert sqlite3.connect(path).execute("pragma integrity_check").fetchone() == ("ok",)
