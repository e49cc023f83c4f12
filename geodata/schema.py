"""What each kind of input file holds: its fields, their types and its geometry.

A schema names the *canonical* column names the engine uses. A council's file may call
them something else: the user maps them (``--columns id=URN,name=SCHOOL_NAME`` or a
``[columns]`` table in the config file) and :func:`geodata.validate.validate` checks
and converts the values once, at the boundary.

Field types:

``str``    any text (stripped); ``int`` / ``float`` numbers; ``bool`` yes/no, true/false,
1/0, y/n; ``time`` a clock time ``HH:MM``; ``hours`` opening hours ``HH:MM-HH:MM``,
several separated by commas, or empty for closed; ``days`` weekdays such as ``Mon-Fri``
or ``Mon, Wed, Fri``; ``enum`` one of ``choices``.

Optional fields (not ``required``) may be left out of a file or left empty: the
``default`` fills them. A *nullable* field (:attr:`Field.nullable`: optional, default
``None``) keeps an empty cell empty (``None``, or NaN in a number column) so that the
command reading it can apply its own documented rule: ``max_ride_min`` (the policy's
limit) and the pupils' optional flags read by eligibility and mode choice
(``optimise/transport/pupil_flags.py``):

``unable_to_walk``  SEND pupil who cannot be expected to walk to school whatever the
                    distance; empty: the ``sen`` flag;
``special_school``  a special school is the suitable school; empty: the pupil attends a
                    school of phase ``special``;
``budget_ok``       the family can accept a personal travel budget; empty: SEND pupils
                    needing neither a wheelchair space nor a passenger assistant.

They are nullable rather than given a fixed default because the default depends on
other columns (and for ``special_school`` on the schools file). Like every field they
are converted and checked once, at the boundary (a bad cell is one line naming the
file, the spreadsheet row, the file's column, what was expected and what was found), and
a file's own column names map onto them with ``--columns budget_ok=CanTakeBudget`` or
``[columns.pupils]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["KINDS", "SCHEMAS", "WEEKDAYS", "Field", "Schema"]

FieldType = Literal["str", "int", "float", "bool", "time", "hours", "days", "enum"]
Geometry = Literal["point", "area", "point-or-area", "optional-point", "none"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType = "str"
    required: bool = False
    default: object = None
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    help: str = ""

    @property
    def nullable(self) -> bool:
        """An empty cell stays empty (None): the reader applies its own rule."""
        return not self.required and self.default is None


@dataclass(frozen=True)
class Schema:
    kind: str
    geometry: Geometry
    fields: tuple[Field, ...]
    id_field: str = "id"
    help: str = ""
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


def _f(name: str, type: FieldType = "str", **kw: Any) -> Field:
    return Field(name, type, **kw)


_ID = _f("id", required=True, help="unique identifier")
_NAME = _f("name", default="", help="display name")

SITES = Schema(
    "sites",
    "point",
    (
        _ID,
        _NAME,
        _f("type", required=True, help="office, library, depot, community centre, ..."),
        _f("floor_area_m2", "float", default=0.0, min=0),
        _f("capacity", "float", default=0.0, min=0, help="desks (offices) or service capacity"),
        _f("occupancy", "float", default=0.0, min=0, max=1, help="share of capacity in use"),
        _f("running_cost", "float", default=0.0, min=0, help="£ a year: FM, energy, rates"),
        _f("backlog_p1", "float", default=0.0, min=0, help="£ backlog, priority 1 (urgent)"),
        _f("backlog_p2", "float", default=0.0, min=0, help="£ backlog, priority 2"),
        _f("backlog_p3", "float", default=0.0, min=0, help="£ backlog, priority 3"),
        _f(
            "backlog_p4", "float", default=0.0, min=0, help="£ backlog, priority 4 (beyond 5 years)"
        ),
        _f("condition", "enum", default="B", choices=("A", "B", "C", "D")),
        _f("capital_value", "float", default=0.0, min=0, help="£ receipt if disposed"),
        _f("disposal_cost", "float", default=0.0, min=0, help="£ cost of disposal"),
        _f("tenure", "enum", default="freehold", choices=("freehold", "leasehold")),
        _f("lease_break", default="", help="lease break date YYYY-MM-DD (leasehold)"),
        _f("lease_break_cost", "float", default=0.0, min=0),
        _f("must_keep", "bool", default=False),
        _f("must_dispose", "bool", default=False),
        _f("listed", "bool", default=False),
        _f("corporate_landlord", "bool", default=False, help="managed centrally"),
        _f("services", default="", help="services hosted, separated by ';'"),
    ),
    help="council operational sites (asset register)",
)

ZONES = Schema(
    "zones",
    "point-or-area",
    (
        _ID,
        _NAME,
        _f("population", "int", required=True, min=0),
        _f("over65", "int", default=0, min=0, help="residents aged 65 and over"),
    ),
    help="demand zones (e.g. LSOAs) with population; polygons or centroids",
)

PUPILS = Schema(
    "pupils",
    "point",
    (
        _ID,
        _f("school_id", required=True, help="id of the school attended"),
        _f("age", "int", required=True, min=2, max=25),
        _f("sen", "bool", default=False, help="special educational needs and disabilities"),
        _f("wheelchair", "bool", default=False, help="travels in a wheelchair"),
        _f("solo", "bool", default=False, help="must travel alone"),
        _f("assistant", "bool", default=False, help="needs a passenger assistant"),
        _f("max_ride_min", "float", default=None, min=1, help="overrides the policy limit"),
        _f("low_income", "bool", default=False, help="extended rights (free school meals)"),
        _f("travel_training", "bool", default=False, help="candidate for travel training"),
        _f("excluded_vehicles", default="", help="fleet types the pupil may not use, ';'"),
        _f("unable_to_walk", "bool", help="SEND, cannot be expected to walk; empty: sen"),
        _f("special_school", "bool", help="special school suitable; empty: attends one"),
        _f("budget_ok", "bool", help="accepts a travel budget; empty: SEND, no wheelchair/PA"),
    ),
    help="pupils entitled to transport; the point is the home (personal data)",
)

SCHOOLS = Schema(
    "schools",
    "point",
    (
        _ID,
        _NAME,
        _f(
            "phase",
            "enum",
            required=True,
            choices=("primary", "secondary", "special", "all-through"),
        ),
        _f("bell_time", "time", required=True, help="start of the school day, HH:MM"),
        _f("arrive_min_before", "int", default=5, min=0, help="earliest arrival margin"),
        _f("arrive_max_before", "int", default=25, min=0, help="latest arrival margin"),
        _f("end_time", "time", default="15:15", help="end of the school day, HH:MM"),
        _f("multi_school", "bool", default=True, help="may share a vehicle with another school"),
    ),
    help="schools with bell times",
)

STOPS = Schema(
    "stops",
    "point",
    (
        _ID,
        _NAME,
        _f("unsafe", "bool", default=False, help="never used as a pick-up point"),
        _f("max_pupils", "int", default=None, min=1, help="cap on pupils using the stop"),
    ),
    help="candidate pick-up points (e.g. NaPTAN bus stops)",
)

FLEET = Schema(
    "fleet",
    "optional-point",
    (
        _ID,
        _NAME,
        _f("seats", "int", required=True, min=1, max=100),
        _f("wheelchair_spaces", "int", default=0, min=0, max=100, help="at most the seats"),
        _f("day_rate", "float", required=True, min=0, max=100_000, help="£ a day"),
        _f("cost_per_mile", "float", required=True, min=0, max=1_000, help="£ a mile"),
        _f("available", "int", default=1, min=0, max=10_000, help="vehicles of this type"),
        _f("base", default="", help="operator base; the point, when given, is where it is"),
    ),
    help="vehicle types of the mixed fleet; a point (optional) is the operator base",
)

_HOURS = tuple(
    _f(f"{day}_hours", "hours", default="", help=f"host building available on {day}")
    for day in WEEKDAYS
)
CENTRES = Schema(
    "centres",
    "point",
    (
        _ID,
        _NAME,
        _f("status", "enum", default="open", choices=("open", "hub", "closed")),
        _f("visits_per_year", "int", default=None, min=0),
        _f("current_days", "days", default="", help="days open today, e.g. Mon-Fri or Mon,Wed,Fri"),
        _f("current_hours", "hours", default="", help="hours open today, e.g. 10:30-14:30"),
        _f("population", "int", default=None, min=0, help="local population served"),
        _f("over65_share", "float", default=None, min=0, max=1),
        *_HOURS,
    ),
    help="face-to-face customer-service centres and candidate sites",
)

SCHEMAS: dict[str, Schema] = {
    s.kind: s for s in (SITES, ZONES, PUPILS, SCHOOLS, STOPS, FLEET, CENTRES)
}
KINDS = tuple(SCHEMAS)
