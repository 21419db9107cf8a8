// @name schema_version
// The schema version recorded in the graph (no row when the graph has never been migrated).
MATCH (m:Meta {key: 'schema'})
RETURN m.version AS version, m.applied_on AS applied_on

// @name set_schema_version
// Record that the schema is now at $version.
MERGE (m:Meta {key: 'schema'})
SET m.version = $version, m.applied_on = $applied_on
RETURN m.version AS version

// @name count_nodes
// Number of nodes in the graph, Meta bookkeeping excluded.
MATCH (n)
WHERE NOT n:Meta
RETURN count(n) AS nodes

// @name count_by_label
// Node count for each orgraph label.
MATCH (n)
WHERE NOT n:Meta
RETURN labels(n)[0] AS label, count(n) AS nodes
ORDER BY label

// @name drop_all_batch
// Delete up to $limit nodes with their relationships; returns how many went.
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted

// @name count_roster_entities
// Node count per label of what rosters imported (external destination areas and orgs excluded).
MATCH (n)
WHERE NOT n:Meta AND coalesce(n.external, false) = false
RETURN labels(n)[0] AS label, count(n) AS nodes
ORDER BY label

// @name count_contact_links
// Number of contact (包户) and responsibility (包乡镇/包村/包组) links.
MATCH (:Member)-[r:CONTACTS|RESPONSIBLE_FOR]->()
RETURN count(r) AS links
