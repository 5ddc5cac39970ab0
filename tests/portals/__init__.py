"""Sample portals, one per platform, served on loopback for the crawl tests.

Each stands in for a real entry of the registry (its URL layout and markup follow what is
known of that site's platform), with a handful of articles over two listing pages, and the
feeds and sitemaps its platform has.
"""

from __future__ import annotations

from tests.portals.base import Article, Portal, PortalServer, db_rows
from tests.portals.chinhphu import ChinhphuPortal
from tests.portals.drupal import DrupalPortal
from tests.portals.liferay import LiferayPortal
from tests.portals.sharepoint import SharePointPortal
from tests.portals.websphere import WebSpherePortal
from tests.portals.wordpress import WordPressPortal

PORTALS: dict[str, type[Portal]] = {
    "websphere": WebSpherePortal,
    "liferay": LiferayPortal,
    "drupal": DrupalPortal,
    "wordpress": WordPressPortal,
    "chinhphu": ChinhphuPortal,
    "sharepoint": SharePointPortal,
}

__all__ = ["PORTALS", "Article", "Portal", "PortalServer", "db_rows"]
