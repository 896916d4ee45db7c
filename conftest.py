"""How pytest-xdist shares the suite among its workers (`-n auto --dist loadfile` in pyproject.toml).

Tests of one file stay together in one worker: a notebook's cells run in order in one kernel,
and a file's session fixtures (a built website, say) are made once. The exception is the files
in SPREAD, whose tests go to the workers one by one: each JupyterLab test opens its own page
with its own kernel, and only the JupyterLab server and Chromium are shared, which each worker
starts for itself (on a free port, in its own temporary folders). They are the slowest tests,
so spreading them is what evens the load. This file sits at the root so that it also applies
when pytest is given a notebook alone.
"""
import pytest

SPREAD = {"tests/test_browser.py"}


def scope_of(nodeid):
    """The unit a worker gets whole: the test's file, or the test itself in a SPREAD file."""
    path = nodeid.split("::", 1)[0]
    return nodeid if path in SPREAD else path


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, called only when it runs
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None  # another --dist given on the command line wins
    from xdist.scheduler import LoadScopeScheduling

    class FilesWholeScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return scope_of(nodeid)

    return FilesWholeScheduling(config, log)
