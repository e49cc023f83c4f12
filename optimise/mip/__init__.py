"""The shared MIP back end: sparse models passed straight to HiGHS (``highs``), used by the
estate solver, stop choice, the county planner's master problem and facility location."""
