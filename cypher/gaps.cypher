// The gap ledger (docs/rules.md "Gap life"): one :GapLedger stamp and one :GapItem per episode
// of a gap item (type|id), written by observations (analysis/gap_ledger.py). Nothing the
// analysis projects reads them, so none of these writes bumps the revision (store/base.py).

// @name ledger_state
// The ledger's stamp: observations so far, the revision last observed, first and last day.
MATCH (l:GapLedger {id: 'gaps'})
RETURN l.seq AS seq, l.rev AS rev, l.began AS began, l.last_on AS last_on, l.done AS done

// @name ledger_claim
// @write
// Claim observation $seq, only if the ledger still stands at $prev_seq: a process that
// observed meanwhile makes this return no row, and the caller writes nothing. The first SET
// takes the node's write lock before the ledger's number is compared (Neo4j reads committed
// values, so two transactions could otherwise both see $prev_seq).
MERGE (l:GapLedger {id: 'gaps'})
ON CREATE SET l.seq = 0, l.began = $on, l.last_on = $on, l.rev = ''
SET l.claimed = $seq
WITH l
WHERE l.seq = $prev_seq
SET l.seq = $seq, l.rev = $rev, l.last_on = $on
RETURN l.seq AS seq

// @name ledger_done
// @write
// The last step of observation $seq: its episodes are all written (a reader may keep a copy
// of the episodes keyed by `done`; while `done` < `seq` an observation is still writing).
MATCH (l:GapLedger {id: 'gaps'})
WHERE l.seq = $seq
SET l.done = $seq
RETURN l.done AS done

// @name ledger_open
// @write
// Episodes an observation opens: first seen on $on by observation $seq.
UNWIND $rows AS r
CREATE (g:GapItem {uid: r.uid})
SET g.key = r.key, g.type = r.type, g.item = r.item, g.first_seen = $on, g.opened_seq = $seq

// @name ledger_close
// @write
// Episodes an observation closes: resolved on $on by observation $seq.
UNWIND $uids AS u
MATCH (g:GapItem {uid: u})
SET g.resolved_on = $on, g.closed_seq = $seq

// @name ledger_open_items
// The open episodes (every one: an observation compares them with the items that hold).
MATCH (g:GapItem)
WHERE g.resolved_on IS NULL
RETURN g.uid AS uid, g.type AS type, g.item AS item

// @name gap_episodes_of
// The episodes of the given items (type|id keys) that cover day $on.
UNWIND $keys AS k
MATCH (g:GapItem {key: k})
WHERE g.first_seen <= $on AND (g.resolved_on IS NULL OR g.resolved_on > $on)
RETURN g.item AS item, g.first_seen AS first_seen

// @name gap_episodes_all
// Every episode, open or closed.
MATCH (g:GapItem)
RETURN g.type AS type, g.item AS item, g.first_seen AS first_seen,
       g.resolved_on AS resolved_on, g.opened_seq AS opened_seq, g.closed_seq AS closed_seq

// @name gap_episodes_changed
// The episodes opened or closed by observations $after < seq <= $upto (the changes between
// two imports), or first seen or resolved on days $since < day <= $until (between two days).
MATCH (g:GapItem)
WHERE (g.opened_seq > $after AND g.opened_seq <= $upto)
   OR (g.closed_seq > $after AND g.closed_seq <= $upto)
   OR (g.first_seen > $since AND g.first_seen <= $until)
   OR (g.resolved_on > $since AND g.resolved_on <= $until)
RETURN g.type AS type, g.item AS item, g.first_seen AS first_seen,
       g.resolved_on AS resolved_on, g.opened_seq AS opened_seq, g.closed_seq AS closed_seq
