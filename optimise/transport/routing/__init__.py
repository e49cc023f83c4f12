"""The route planner: one school at a time (``solve``) or the whole county at once
(``county``: route pools on every core, one selection-and-chaining MILP); the afternoon run,
plan edits and the measure of any plan (``evaluate``)."""
