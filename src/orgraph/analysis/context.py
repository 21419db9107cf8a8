"""What every rule reads: the projection, the day's state, the scope and the policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orgraph.analysis.projection import Projection
from orgraph.analysis.scope import Scope
from orgraph.analysis.state import DayReads, DayState
from orgraph.analysis.tracking import ALWAYS, Tracker, tracked
from orgraph.policy import Policy

Ref = tuple[str, int]  # ("h"|"m"|"a"|"o"|"r"|"c"|"k" meeting|"f" 第一书记 appointment, index)


@dataclass
class Ctx:
    graph: Projection
    day: DayState
    scope: Scope
    policy: Policy
    members: Any  # BoolArray: members in scope
    memo: dict[str, Any] = field(default_factory=dict)  # per-answer intermediate results
    # Recording what the rules read (analysis/tracking.py): a memo's value carries its reads
    # to every rule that takes it.
    tracker: Tracker | None = None
    memo_reads: dict[str, frozenset[str]] = field(default_factory=dict)

    def once(self, name: str, make: Any) -> Any:
        t = self.tracker
        if name not in self.memo:
            if t is None:
                self.memo[name] = make()
            else:
                with t.frame() as reads:
                    self.memo[name] = make()
                self.memo_reads[name] = frozenset(reads)
        elif t is not None:
            t.add(self.memo_reads.get(name, ALWAYS))
        return self.memo[name]

    def tracked(self) -> Ctx:
        """This context as a rule reads it when what it reads is recorded: the projection and
        the day's values through views that note each field, a memo of its own."""
        t = Tracker()
        day: Any = DayReads(self.day, t)
        return Ctx(tracked(self.graph, t), day, self.scope, self.policy, self.members, tracker=t)

    def area_ctx(self, a: int) -> dict[str, Any]:
        """Names of an area and its village and township, for acting on an item."""
        out: dict[str, Any] = {}
        i = a
        while i >= 0:
            level = self.graph.area_level[i]
            if level in ("hamlet", "village", "township") and level not in out:
                out[level] = {"code": self.graph.area_code[i], "name": self.graph.area_name[i]}
            i = self.graph.area_parent[i]
        return out

    def org_brief(self, o: int) -> dict[str, str]:
        return {"id": self.graph.org_id[o], "name": self.graph.org_name[o]}

    def member_brief(self, m: int) -> dict[str, Any]:
        p = self.graph
        branch = p.m_branches[m][0] if p.m_branches[m] else -1
        return {
            "id": p.m_key[m],
            "name": p.m_name[m],
            "branch": self.org_brief(branch) if branch >= 0 else None,
        }
