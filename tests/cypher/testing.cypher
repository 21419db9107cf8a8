// Statements only the tests run: full dumps of the graph, compared before and after an import
// (tests/importer) or a write, and the batched wipe of a leased Neo4j server (tests/engines.py).

// @name testing_nodes
// Every node (bookkeeping: Meta, the Change log, excluded) with its first label and all its properties.
MATCH (n)
WHERE NOT n:Meta AND NOT n:Change
RETURN labels(n)[0] AS label, properties(n) AS props

// @name testing_rels
// Every relationship: its type and properties, and each end's label and key (key, id or code).
MATCH (a)-[r]->(b)
RETURN type(r) AS rel, labels(a)[0] AS from_label, coalesce(a.key, a.id, a.code) AS from_key,
       labels(b)[0] AS to_label, coalesce(b.key, b.id, b.code) AS to_key,
       properties(r) AS props

// @name testing_rel_counts
// Number of relationships of each type.
MATCH ()-[r]->()
RETURN type(r) AS rel, count(r) AS n

// @name testing_wipe_batch
// @write
// Delete up to $limit nodes with their relationships, except the schema version record (tests reuse a migrated server).
MATCH (n)
WHERE NOT (n:Meta AND n.key = 'schema')
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted

// @name testing_meetings
// Every meeting (组织生活) with the org that held it and the keys of the members it lists as attending and as absent.
MATCH (k:Meeting)-[:HELD_BY]->(o:Org)
OPTIONAL MATCH (a:Member)-[:ATTENDED]->(k)
WITH k, o, collect(a.key) AS attendees
OPTIONAL MATCH (b:Member)-[:ABSENT_FROM]->(k)
RETURN k.id AS id, o.id AS org, k.type AS type, k.on AS on, k.topic AS topic,
       k.expected AS expected, k.present AS present, attendees, collect(b.key) AS absentees

// @name testing_dues
// Every dues payment (党费) with the key of the member who paid it.
MATCH (m:Member)-[:PAID]->(d:Dues)
RETURN d.id AS id, m.key AS member, d.paid_to AS paid_to, d.paid_on AS paid_on, d.amount AS amount

// @name testing_twin_contacts
// @write
// A second CONTACTS link beside each given one (what concurrent writers once left, #18).
UNWIND $rows AS row
MATCH (m:Member {key: row.member})-[r:CONTACTS]->(h:Household {id: row.household})
WHERE r.since = row.since
CREATE (m)-[t:CONTACTS]->(h)
SET t = properties(r)
RETURN count(t) AS written

// @name testing_field_change_imports
// The imports that replaced a value (field history), once each.
MATCH (c:FieldChange)
RETURN DISTINCT c.import AS import
