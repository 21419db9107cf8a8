// Import history (docs/design.md#import-history): one :Import node per real import, written
// at its end while the import lock is held; `orgraph imports` and GET /imports read it back.
// Node properties hold no maps on either engine, so the counts and the report are JSON text.

// @name record_import
// @write
// One finished import: when, by whom, from where, its files (names, sizes, sha256, kinds as
// parallel lists), its totals and per-kind changes, and the whole report. CREATE, not MERGE:
// the id is new (a uuid), and a duplicate fails on the unique constraint.
CREATE (i:Import {id: $id})
SET i += $props
RETURN i.id AS id

// @name list_imports
// One page of the imports, newest first (without their reports).
MATCH (i:Import)
RETURN i.id AS id, i.at AS at, i.by AS by, i.source AS source, i.snapshot AS snapshot,
       i.seconds AS seconds, i.on AS on, i.obs AS obs, i.file_names AS names, i.file_sizes AS sizes,
       i.file_sha256 AS sha256, i.file_kinds AS kinds, i.totals AS totals,
       i.changes AS changes
ORDER BY at DESC, id DESC
SKIP $skip
LIMIT $limit

// @name count_imports
// How many imports the graph has recorded.
MATCH (i:Import)
RETURN count(i) AS n

// @name import_record
// One import with its whole report (JSON text), by id.
MATCH (i:Import {id: $id})
RETURN i.id AS id, i.at AS at, i.by AS by, i.source AS source, i.snapshot AS snapshot,
       i.seconds AS seconds, i.on AS on, i.obs AS obs, i.file_names AS names, i.file_sizes AS sizes,
       i.file_sha256 AS sha256, i.file_kinds AS kinds, i.totals AS totals,
       i.changes AS changes, i.report AS report

// @name record_field_changes
// @write
// Field history (docs/rules.md "Field history"): the values an import replaced, one node per
// entity field, with the import that replaced them (values as JSON text: lists included).
UNWIND $rows AS r
CREATE (c:FieldChange {import: $import_id})
SET c.at = $at, c.on = $on, c.by = $by, c.n = r.n, c.kind = r.kind, c.key = r.key,
    c.field = r.field, c.old = r.old, c.new = r.new

// @name field_history
// An entity's replaced values (by its key), oldest first.
MATCH (c:FieldChange {key: $key})
RETURN c.import AS import, c.at AS at, c.on AS on, c.by AS by, c.kind AS kind,
       c.field AS field, c.old AS old, c.new AS new, c.n AS n
ORDER BY at, n

// @name import_field_changes
// The values one import replaced, in the order it noted them.
MATCH (c:FieldChange {import: $import_id})
RETURN c.at AS at, c.on AS on, c.kind AS kind, c.key AS key, c.field AS field,
       c.old AS old, c.new AS new, c.n AS n
ORDER BY n

// @name field_changes_between
// The values replaced by imports of roster days $since < on <= $until, in import order.
MATCH (c:FieldChange)
WHERE c.on > $since AND c.on <= $until
RETURN c.import AS import, c.at AS at, c.on AS on, c.kind AS kind, c.key AS key,
       c.field AS field, c.old AS old, c.new AS new, c.n AS n
ORDER BY at, n

// @name outflow_events_between
// Departures, returns and transfers dated $since < day <= $until, with the member.
MATCH (m:Member)-[:HAS_OUTFLOW]->(o:Outflow)
WHERE (o.left_on > $since AND o.left_on <= $until)
   OR (o.returned_on > $since AND o.returned_on <= $until)
   OR (o.transferred_on > $since AND o.transferred_on <= $until)
RETURN m.key AS key, m.name AS name, o.left_on AS left_on, o.returned_on AS returned_on,
       o.transferred_on AS transferred_on
ORDER BY key, left_on

// @name imports_between
// The imports recorded after $after up to $upto (their `at` times), oldest first.
MATCH (i:Import)
WHERE i.at > $after AND i.at <= $upto
RETURN i.id AS id, i.at AS at
ORDER BY at, id

// @name import_days
// Every recorded import's id, time and roster day, oldest first (one per import: a few a
// month): what an answer at a past day can read (docs/rules.md "What an answer at a past day
// can read").
MATCH (i:Import)
RETURN i.id AS id, i.at AS at, i.on AS on
ORDER BY at, id

// @name replaced_values_after
// How many values of the given fields (`kind.field`) the given imports replaced on a roster
// day after $day (read by import, through its index).
UNWIND $ids AS import_id
MATCH (c:FieldChange {import: import_id})
WHERE c.on > $day AND (c.kind + '.' + c.field) IN $fields
RETURN count(c) AS n
