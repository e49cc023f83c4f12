"""``optimise serve``: the officers' local web app on the engine (issue #16).

Modules: :mod:`~optimise.app.web` (the app factory), :mod:`~optimise.app.store` (the
workspace database), :mod:`~optimise.app.uploads` and :mod:`~optimise.app.workbooks`
(checked uploads: CSV files and workbooks),
:mod:`~optimise.app.mapping` (column drop-downs), :mod:`~optimise.app.jobs` and
:mod:`~optimise.app.worker` (runs in their own processes), :mod:`~optimise.app.sheets`
(route sheets, tender pack), :mod:`~optimise.app.figures` (headline figures),
:mod:`~optimise.app.duty` (vehicles to procure, pupils beyond the ride limit),
:mod:`~optimise.app.estate_results`, :mod:`~optimise.app.hours_results` and
:mod:`~optimise.app.batch_results` (those runs' results), :mod:`~optimise.app.compare`
(two plans side by side), :mod:`~optimise.app.whatif` (a plan copied as a what-if),
:mod:`~optimise.app.edit_plan` (a run's plan as the editor works on it) and
:mod:`~optimise.app.replan` (re-planning around its locked routes, a run's job),
:mod:`~optimise.app.scenario_files` (uploaded scenario files),
:mod:`~optimise.app.security` (token, CSRF, size cap, Host header),
:mod:`~optimise.app.forms` (posted forms and their values), and the pages
(:mod:`~optimise.app.pages_transport`, :mod:`~optimise.app.pages_estate`,
:mod:`~optimise.app.pages_hours`, :mod:`~optimise.app.pages_batch`,
:mod:`~optimise.app.pages_compare`, :mod:`~optimise.app.pages_runs`,
:mod:`~optimise.app.pages_edit`).
"""

from optimise.app.web import create_app

__all__ = ["create_app"]
