"""Garbage-collector settings for a long-running web or worker process.

After Django has loaded (settings, apps, URLconf), ``gc.freeze()`` moves every object
alive at that point into a permanent generation that collections no longer walk, and a
higher first-generation threshold makes collections rarer. A figures table of a year of
org × month builds tens of thousands of short-lived objects per request; with the
default threshold (700) each such request ran dozens of collections, each walking the
whole of Django's heap. Reference counting still frees acyclic objects at once; only
cyclic garbage waits longer (bounded by the threshold).
"""

from __future__ import annotations

import gc

from haochaping.core.env import env_bool, env_int

DEFAULT_THRESHOLD = 50_000


def tune_gc() -> tuple[int, int, int]:
    """Freeze what is loaded and raise the first threshold (``HCP_GC_THRESHOLD``);
    ``HCP_GC_TUNE=false`` leaves the interpreter's defaults. Returns the thresholds."""
    if env_bool("HCP_GC_TUNE", True):
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 (load every view module before freezing)
        gc.collect()
        gc.freeze()
        gc.set_threshold(env_int("HCP_GC_THRESHOLD", DEFAULT_THRESHOLD), 50, 100)
    return gc.get_threshold()
