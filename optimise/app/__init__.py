"""``optimise serve``: the officers' local web app on the engine (issue #16).

Modules: :mod:`~optimise.app.web` (the app factory), :mod:`~optimise.app.store` (the
workspace database), :mod:`~optimise.app.uploads` and :mod:`~optimise.app.workbooks`
(checked uploads: CSV files and workbooks),
:mod:`~optimise.app.mapping` (column drop-downs), :mod:`~optimise.app.jobs` and
:mod:`~optimise.app.worker` (runs in their own processes), :mod:`~optimise.app.sheets`
(route sheets, tender pack), :mod:`~optimise.app.figures` (headline figures),
:mod:`~optimise.app.duty` (vehicles to procure, pupils beyond the ride limit),
:mod:`~optimise.app.security` (token, CSRF, size cap, Host header), and the pages
(:mod:`~optimise.app.pages_transport`, :mod:`~optimise.app.pages_runs`).
"""

from optimise.app.web import create_app

__all__ = ["create_app"]
