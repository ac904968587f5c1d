"""Every view, in the order they are rendered. Adding a view is one module and one line here."""

from __future__ import annotations

from enrich.views import View, about, card, croissant, feed
from enrich.views.listmd import ListView
from enrich.views.report import ReportView

VIEWS: list[View] = [card, croissant, feed, ListView(), ReportView(), about]
