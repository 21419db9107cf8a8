// @name schema_version
// The schema version recorded in the graph (no row when the graph has never been migrated).
MATCH (m:Meta {key: 'schema'})
RETURN m.version AS version, m.applied_on AS applied_on

// @name set_schema_version
// @write
// Record that the schema is now at $version.
MERGE (m:Meta {key: 'schema'})
SET m.version = $version, m.applied_on = $applied_on
RETURN m.version AS version

// @name count_nodes
// Number of nodes in the graph, bookkeeping (Meta, the Change log) excluded.
MATCH (n)
WHERE NOT n:Meta AND NOT n:Change
RETURN count(n) AS nodes

// @name count_by_label
// Node count for each orgraph label (bookkeeping excluded).
MATCH (n)
WHERE NOT n:Meta AND NOT n:Change
RETURN labels(n)[0] AS label, count(n) AS nodes
ORDER BY label

// @name drop_all_batch
// @write
// Delete up to $limit nodes with their relationships; returns how many went.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
