"""How `pytest -n 2 --dist loadfile` hands test files to its workers (installed by conftest.py).

pytest-xdist's own loadfile scheduler keeps a file's tests on one worker (so module fixtures such
as an imported demo county are built once) but queues the files by their number of tests, most
first, and gives a worker its next file while up to two tests of the current one are still to
run. The suite's longest files have few tests (the demo county on both engines and both APIs
side by side: 7 tests and ~6 minutes), so they were queued last and one worker ran them while
the other had finished and stood idle.

This scheduler keeps the unit (a file) and changes only the order and the hand-out: the files
known to run longest go first, longest first (LONG_FILES), then the rest as before, most tests
first; and a worker is given its next file only when its current one has one test left to start
(it must know the next test to tear the last one's fixtures down), so a file is not committed to
a worker still busy for minutes while the other one waits. Which worker runs which file changes
nothing in a test: every file still runs whole on one worker, in the order of its tests.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from xdist.scheduler import LoadFileScheduling

# Seconds a file takes on one worker, for the order only (a file missing here is queued after
# these, most tests first): a whole-suite run's --durations on two cores (3 Dec 2026, with the
# example counts and Neo4j samples cut that day). Keep the list roughly right when a file grows
# by minutes: a stale value costs balance, never correctness.
LONG_FILES: dict[str, float] = {
    # the demo county imported once into each engine: the two APIs compared, then the
    # acceptance on each
    "tests/acceptance/test_county_demo.py": 300,
    "tests/e2e/test_dashboard_browser.py": 240,  # the county demo in Chromium
    "tests/api/test_scope_property.py": 200,
    "tests/api/test_openapi.py": 170,  # schemathesis over every operation, both engines
    "tests/store/test_neo4j_local.py": 135,  # backup round trip: server restarts
    "tests/oracle/test_oracle_proposals.py": 110,
    "tests/oracle/test_oracle_life.py": 105,
    "tests/api/test_injection.py": 100,
    "tests/importer/test_import_concurrent.py": 90,
    "tests/oracle/test_oracle_equivalence.py": 75,  # 60 counties on FalkorDB, 5 on Neo4j
    "tests/dashboard/test_life_page.py": 65,
    "tests/api/test_imports_exports.py": 60,
    # the history (#16), measured alone on a busy machine (3 Dec 2026): both engines each
    "tests/demo/test_demo_months.py": 60,  # three months of the tiny demo, judged by the oracle
    "tests/oracle/test_oracle_gap_history.py": 90,
    "tests/test_cli_history.py": 80,
    "tests/api/test_history_changes.py": 60,
}


class LongestFirstScheduling(LoadFileScheduling):  # type: ignore[misc]  # xdist is untyped
    collection: list[str] | None
    workqueue: OrderedDict[str, dict[str, bool]]

    def schedule(self) -> None:
        # LoadScopeScheduling.schedule with another order of the queue; the rest as there.
        assert self.collection_is_completed
        if self.collection is not None:
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        units: dict[str, dict[str, bool]] = {}
        for nodeid in self.collection:
            units.setdefault(self._split_scope(nodeid), {})[nodeid] = False
        order = sorted(units.items(), key=lambda u: (-LONG_FILES.get(u[0], 0), -len(u[1])))
        self.workqueue = OrderedDict(order)
        for _ in range(len(self.nodes) - len(self.workqueue)):
            unused, _assigned = self.assigned_work.popitem()
            unused.shutdown()
        for node in self.nodes:
            self._assign_work_unit(node)
        for node in self.nodes:
            self._reschedule(node)
        if not self.workqueue:
            for node in self.nodes:
                node.shutdown()

    def _reschedule(self, node: Any) -> None:
        # As LoadScopeScheduling._reschedule, but the next file goes out when one test is left
        # to start (there: two), the least a worker needs to go on running.
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        if self._pending_of(self.assigned_work[node]) > 1:
            return
        self._assign_work_unit(node)
