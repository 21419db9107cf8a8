// Blocks used only by bench/restart.py (synthetic county-sized data). Areas are loaded with
// upsert_areas from cypher/areas.cypher.

// @name bench_upsert_households
// @write
// Create or update households by id, each linked [:IN] to its village (bench bulk load).
UNWIND $rows AS row
MATCH (v:Area {code: row.village})
MERGE (h:Household {id: row.id})
SET h.head = row.head, h.size = row.size, h.low_income = row.low_income
MERGE (h)-[:IN]->(v)
RETURN count(h) AS written

// @name bench_upsert_members
// @write
// Create or update members by key with a few properties (bench bulk load).
UNWIND $rows AS row
MERGE (m:Member {key: row.key})
SET m.name = row.name, m.birth_year = row.birth_year, m.village = row.village
RETURN count(m) AS written

// @name bench_add_contacts
// @write
// Link each member [:CONTACTS] to a household, both found by their indexed keys (bench).
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MATCH (h:Household {id: row.household})
MERGE (m)-[:CONTACTS]->(h)
RETURN count(*) AS written

// @name bench_count_relationships
// Number of relationships of each type (bench consistency check after a restart).
MATCH ()-[r]->()
RETURN type(r) AS type, count(r) AS rels
ORDER BY type

// @name bench_count_households_of_size
// Number of households whose size is $size (bench check that replayed writes were applied).
MATCH (h:Household)
WHERE h.size = $size
RETURN count(h) AS households
