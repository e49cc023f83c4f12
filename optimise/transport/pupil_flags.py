"""The default rules of the pupils' optional flags read by eligibility and mode choice.

The columns ``unable_to_walk``, ``special_school`` and ``budget_ok`` are nullable
fields of the pupils schema (``geodata/schema.py``): read, renamed (``[columns]``) and
checked at the boundary like every other field, an empty or absent cell arriving as
``None``. What an empty cell means is transport policy: :func:`flag` fills it with a
per-pupil default that the caller computes (``build_eligibility`` in
``eligibility/run.py``, ``ModeFlags.default`` in ``modes/params.py``) by these rules:

* ``unable_to_walk``: SEND pupil who cannot be expected to walk to school whatever the
  distance (default: the ``sen`` flag);
* ``special_school``: a special school is the suitable school (default: the pupil
  attends a school of phase ``special``);
* ``budget_ok``: the family can accept a personal travel budget (default: the pupil
  needs neither a wheelchair space nor a passenger assistant, who call for an adapted
  vehicle or a trained escort that a family budget does not replace).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["flag"]


def flag(frame: pd.DataFrame, name: str, default: np.ndarray, source: str) -> np.ndarray:
    """Column ``name`` of a validated frame as a read-only bool array: the pupil's value
    where given, ``default`` (by pupil) where the cell is empty or the column absent.

    Raises ValueError, naming ``source``, for a value that is not a yes/no the validation
    layer converted (a frame that did not come through :func:`geodata.read.read`).
    """
    out = np.array(default, dtype=bool, copy=True)
    if name in frame:
        for i, value in enumerate(frame[name].to_numpy(dtype=object)):
            if pd.isna(value):
                continue
            if not isinstance(value, bool | np.bool_):
                raise ValueError(
                    f"{source}: column '{name}' holds {value!r}, not a converted yes/no: "
                    "read the pupils with geodata.read"
                )
            out[i] = bool(value)
    out.setflags(write=False)
    return out
