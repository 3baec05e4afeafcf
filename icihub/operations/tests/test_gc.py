"""The server's garbage collector (``startup.tune_gc``, called by ``wsgi.py``)."""

from __future__ import annotations

import gc

import pytest

from icihub.operations import startup


@pytest.fixture
def restored():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_the_thresholds_are_set_and_what_loading_made_is_frozen(restored, monkeypatch):
    monkeypatch.setenv("ICIHUB_GC_THRESHOLD", "40000,15,90")
    assert startup.tune_gc() == "40000,15,90"
    assert gc.get_threshold() == (40000, 15, 90)
    assert gc.get_freeze_count() > 0


def test_the_default_and_python_s_own(restored, monkeypatch):
    monkeypatch.delenv("ICIHUB_GC_THRESHOLD", raising=False)
    startup.tune_gc()
    assert gc.get_threshold() == (50000, 20, 100)
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("ICIHUB_GC_THRESHOLD", "")
    assert startup.tune_gc() == "default"
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("raw", ["abc", "1,2", "0,10,10", "5,-1,3"])
def test_a_malformed_setting_stops_the_server_with_one_line(restored, monkeypatch, raw):
    monkeypatch.setenv("ICIHUB_GC_THRESHOLD", raw)
    before = gc.get_threshold()
    with pytest.raises(startup.StartupError, match="ICIHUB_GC_THRESHOLD"):
        startup.tune_gc()
    assert gc.get_threshold() == before
