// @name upsert_areas
// @write
// @touches areas
// Create or update areas by code with the given properties (code excluded from props).
UNWIND $rows AS row
MERGE (a:Area {code: row.code})
SET a += row.props
RETURN count(a) AS written
