// Blocks used only by bench/engine.py: synthetic bulk growth of an imported demo county, and
// a raw read of the graph for the benchmark's numpy reference. The raw reads are written
// independently of the analysis projection's proj_* blocks, so that the reference checks the
// engine's answers rather than repeating its queries.

// @name bench_engine_add_households
// @write
// Create synthetic households by id, each linked [:IN] to an existing area (hamlet or village).
UNWIND $rows AS row
MATCH (a:Area {code: row.area})
MERGE (h:Household {id: row.id})
SET h.head_name = row.head_name, h.size = row.size, h.address = row.address
MERGE (h)-[:IN]->(a)
RETURN count(h) AS written

// @name bench_engine_add_contacts
// @write
// Link existing members [:CONTACTS] to synthetic households (new pairs only, so CREATE).
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MATCH (h:Household {id: row.household})
CREATE (m)-[r:CONTACTS {since: row.since}]->(h)
SET r.until = row.until
RETURN count(r) AS written

// @name bench_engine_raw_areas
// Every area: [code, level, external flag, parent code].
MATCH (a:Area)
OPTIONAL MATCH (a)-[:PART_OF]->(p:Area)
RETURN collect([a.code, a.level, a.external, p.code]) AS areas

// @name bench_engine_raw_orgs
// Every org: [id, kind, external flag, parent org id, served area code].
MATCH (o:Org)
OPTIONAL MATCH (o)-[:UNDER]->(p:Org)
OPTIONAL MATCH (o)-[:SERVES]->(a:Area)
RETURN collect([o.id, o.kind, o.external, p.id, a.code]) AS orgs

// @name bench_engine_raw_households
// Every household with the area it is filed under: [id, area code].
MATCH (h:Household)-[:IN]->(a:Area)
RETURN collect([h.id, a.code]) AS households

// @name bench_engine_raw_members
// Every member with each branch it belongs to: [key, on_roll, birth date, mgmt class, roles,
// branch id or null] (a member with two branches gives two entries).
MATCH (m:Member)
OPTIONAL MATCH (m)-[:BELONGS_TO]->(b:Org)
RETURN collect([m.key, m.on_roll, m.birth_date, m.mgmt_class, m.roles, b.id]) AS members

// @name bench_engine_raw_contacts
// Every member → household contact: [member key, household id, since, until].
MATCH (m:Member)-[r:CONTACTS]->(h:Household)
RETURN collect([m.key, h.id, r.since, r.until]) AS contacts

// @name bench_engine_raw_outflows
// Every outflow episode: [member key, left on, returned on].
MATCH (m:Member)-[:HAS_OUTFLOW]->(o:Outflow)
RETURN collect([m.key, o.left_on, o.returned_on]) AS outflows

// @name bench_engine_raw_area_duties
// Every member → area responsibility: [member key, area code, since, until].
MATCH (m:Member)-[r:RESPONSIBLE_FOR]->(a:Area)
RETURN collect([m.key, a.code, r.since, r.until]) AS duties
