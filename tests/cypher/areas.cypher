// Area statements only the tests run: a lookup for assertions, a CREATE that proves the
// unique constraint, and every code at once.

// @name area_by_code
// One area's own properties, or no row.
MATCH (a:Area {code: $code})
RETURN a.code AS code, a.name AS name, a.level AS level

// @name create_area_strict
// @write
// CREATE (not MERGE) one area: fails on an existing code, which is how tests prove the constraint.
CREATE (a:Area {code: $code})
RETURN a.code AS code

// @name all_area_codes
// Every area code (tests and small scopes only: no paging).
MATCH (a:Area)
RETURN a.code AS code
