"""Readers, checkers and drivers of published benchmark formats (not used by the solvers):
CVRPLIB and Solomon (``vrp``), OR-Library facility location (``orlib``), multi-school bus
routing (``sbrp``) and bus-stop selection (``sbr``). ``optimise bench`` runs them."""
