"""Find the top-level data folders: installed copy, else the checkout, unless configured."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGED = Path(__file__).parent / "_data"
_CHECKOUT = Path(__file__).resolve().parents[2]


def data_dir(name: str) -> Path:
    """Return the folder `name` (rules, templates, translations, static).

    A BFR_<NAME>_DIR environment variable wins; then the copy inside an installed wheel;
    then the repository root of a checkout or editable install.
    """
    configured = os.environ.get(f"BFR_{name.upper()}_DIR")
    if configured:
        return Path(configured)
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _CHECKOUT / name
