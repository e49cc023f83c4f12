"""Travel mode choice: a seat on a route, a travel budget or travel training, by pupil
(``choose``), with its settings (``params``), route surgery (``plan``) and tables (``output``)."""
