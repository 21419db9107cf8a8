// The analysis projection: a compact copy of what the gap rules need, read in a handful of
// statements that each return one row of lists (FalkorDB's client decodes rows slowly, lists
// fast). Rebuilt whenever the graph revision changes.

// @name graph_revision
// The graph revision, bumped by every write, and the sequence number of the last change logged
// with it; the projection catches up (or reloads) when the revision changes.
MATCH (m:Meta {key: 'revision'})
RETURN m.rev AS rev, coalesce(m.seq, 0) AS seq

// @name bump_revision
// @write
// Mark the graph as changed (every write calls it, in the same transaction) with a fresh random
// token, and log what changed as the next Change (docs/design.md#change-log): the previous and
// the new token chain the log, so a reader can tell it is unbroken; a token, not a counter,
// so that a dropped and rebuilt graph never repeats an old revision. Setting `locked` first
// takes the node's write lock on Neo4j, so two writers never read the same sequence number.
// The change $keep places back is deleted.
MERGE (m:Meta {key: 'revision'})
SET m.locked = $token
WITH m, m.rev AS prev, coalesce(m.seq, 0) + 1 AS seq
SET m.rev = $token, m.seq = seq
CREATE (c:Change {seq: seq, rev: $token, touched: $touched})
SET c.prev = prev
WITH m, seq
OPTIONAL MATCH (old:Change {seq: seq - $keep})
DELETE old
RETURN DISTINCT m.rev AS rev, m.seq AS seq

// @name changes_since
// The logged changes after sequence number $seq, oldest first, at most $limit of them.
MATCH (c:Change)
WHERE c.seq > $seq
RETURN c.seq AS seq, c.prev AS prev, c.rev AS rev, c.touched AS touched
ORDER BY seq
LIMIT $limit

// @name proj_areas
// Every area: code, name, level, external flag, parent code, longitude and latitude.
MATCH (a:Area)
OPTIONAL MATCH (a)-[:PART_OF]->(p:Area)
RETURN collect([a.code, a.name, a.level, coalesce(a.external, false), p.code,
                a.lon, a.lat]) AS areas

// @name proj_orgs
// Every org: id, name, kind, parent id, served area code, term end, external flag, host area
// code (mobile branches, orgs at destinations), establishment date and 软弱涣散 flag.
MATCH (o:Org)
OPTIONAL MATCH (o)-[:UNDER]->(p:Org)
OPTIONAL MATCH (o)-[:SERVES]->(a:Area)
OPTIONAL MATCH (o)-[:HOSTED_IN]->(h:Area)
RETURN collect([o.id, o.name, o.kind, p.id, a.code, o.term_end,
                coalesce(o.external, false), h.code, o.established_on,
                coalesce(o.weak, false)]) AS orgs

// @name proj_rectifications
// Every rectification: org id, opening date, deadline, status, and the ledger's plan date,
// acceptance date and result, problem categories, county leader, township team, sent unit.
MATCH (o:Org)-[:RECTIFICATION]->(r:Rectification)
RETURN collect([o.id, r.opened_on, r.deadline, r.status, r.plan_on, r.accepted_on, r.result,
                coalesce(r.problems, []), r.county_leader, r.township_team,
                r.sent_unit]) AS rects

// @name proj_group_records
// Every party-group record: group id, month, summary written, inspection date, score, grade.
MATCH (g:GroupRecord)-[:OF]->(o:Org)
RETURN collect([o.id, g.month, coalesce(g.summary, false), g.inspected_on, g.score,
                g.grade]) AS records

// @name proj_inspections
// Every inspection: id, org id, date, inspector, findings, follow-up.
MATCH (i:Inspection)-[:OF]->(o:Org)
RETURN collect([i.id, o.id, i.on, i.inspector, i.findings, i.follow_up]) AS inspections

// @name proj_households
// Household ids grouped by area (names are fetched per page: decoding them all is slow).
MATCH (a:Area)<-[:IN]-(h)
RETURN a.code AS area, collect(h.id) AS ids

// @name household_heads
// Head-of-household names of the given households.
UNWIND $ids AS hid
MATCH (h:Household {id: hid})
RETURN h.id AS id, h.head_name AS head_name

// @name member_names
// Names of the given members (by key).
UNWIND $keys AS k
MATCH (m:Member {key: k})
RETURN m.key AS key, m.name AS name

// @name proj_members
// Every member: key, name, on-roll flag, birth date, category, management class, roles,
// join date, the roster's lost-contact flag and the date membership was suspended.
MATCH (m:Member)
RETURN collect([m.key, m.name, coalesce(m.on_roll, true), m.birth_date, m.category,
                m.mgmt_class, m.roles, m.joined_on, coalesce(m.lost_contact, false),
                m.suspended_on]) AS members

// @name proj_member_links
// Member → branch, party group and household links as [member key, kind, target id].
MATCH (m:Member)-[r:BELONGS_TO|IN_GROUP|LIVES_IN]->(t)
RETURN collect([m.key, type(r), coalesce(t.id, t.code)]) AS links

// @name proj_contacts
// Every household contact as parallel lists (flat lists decode faster than nested ones);
// collect() drops nulls, so absent dates travel as ''.
MATCH (m:Member)-[r:CONTACTS]->(h)
RETURN collect(m.key) AS members, collect(h.id) AS households,
       collect(coalesce(r.since, '')) AS since, collect(coalesce(r.until, '')) AS until

// @name proj_responsibilities
// Every responsibility: [member key, target label, target id or code, since, until].
MATCH (m:Member)-[r:RESPONSIBLE_FOR]->(t)
RETURN collect([m.key, labels(t)[0], coalesce(t.id, t.code), r.since, r.until]) AS resp

// @name proj_outflows
// Every outflow episode: [member key, left on, returned on, destination code, transferred on,
// contact person, employer, destination as written].
MATCH (m:Member)-[:HAS_OUTFLOW]->(o:Outflow)
OPTIONAL MATCH (o)-[:TO]->(d:Area)
RETURN collect([m.key, o.left_on, o.returned_on, d.code, o.transferred_on, o.contact_person,
                o.employer, o.destination_text]) AS outflows

// @name proj_reports
// Every report (报到/报平安) as parallel lists of member keys and dates.
MATCH (m:Member)-[:REPORTED]->(r:Report)
RETURN collect(m.key) AS members, collect(coalesce(r.on, '')) AS dates

// @name proj_attends
// Every attendance of an org's life (ATTENDS): [member key, org id, since, until].
MATCH (m:Member)-[r:ATTENDS]->(o:Org)
RETURN collect([m.key, o.id, r.since, r.until]) AS attends

// @name proj_meetings
// Every meeting: [id, org id, type, date, expected, present, listed (has an attendance list),
// topic].
MATCH (k:Meeting)-[:HELD_BY]->(o:Org)
RETURN collect([k.id, o.id, k.type, k.on, k.expected, k.present, coalesce(k.listed, false),
                k.topic]) AS meetings

// @name proj_meeting_people
// Attendance and absence as parallel lists: member keys, meeting ids, true when attended.
MATCH (m:Member)-[r:ATTENDED|ABSENT_FROM]->(k:Meeting)
RETURN collect(m.key) AS members, collect(k.id) AS meetings,
       collect(type(r) = 'ATTENDED') AS attended

// @name proj_dues
// Every dues payment as parallel lists: member keys, months paid up to, payment dates.
MATCH (m:Member)-[:PAID]->(d:Dues)
RETURN collect(m.key) AS members, collect(d.paid_to) AS months,
       collect(coalesce(d.paid_on, '')) AS dates

// @name proj_first_secretaries
// Every 第一书记 appointment: member key, org id, start, end, sending unit.
MATCH (m:Member)-[:APPOINTED]->(f:FirstSecretary)-[:TO]->(o:Org)
RETURN collect([m.key, o.id, f.since, f.until, f.sent_by]) AS appointments

// Catching up with the change log (docs/design.md#change-log): the rows of the proj_* blocks
// above for the entities a change touched, in the same shapes, so the same loaders read them.

// @name delta_households
// The given households that exist, grouped by area (as proj_households).
UNWIND $ids AS hid
MATCH (h:Household {id: hid})-[:IN]->(a:Area)
RETURN a.code AS area, collect(h.id) AS ids

// @name delta_household_members
// Keys of the members linked to the given households (contacts, household membership).
UNWIND $ids AS hid
MATCH (m:Member)-[:CONTACTS|LIVES_IN]->(:Household {id: hid})
RETURN collect(DISTINCT m.key) AS keys

// @name delta_meetings
// The given meetings that exist (as proj_meetings).
UNWIND $ids AS mid
MATCH (k:Meeting {id: mid})-[:HELD_BY]->(o:Org)
RETURN collect([k.id, o.id, k.type, k.on, k.expected, k.present, coalesce(k.listed, false),
                k.topic]) AS meetings

// @name delta_meeting_members
// Keys of the members who attended or missed the given meetings.
UNWIND $ids AS mid
MATCH (m:Member)-[:ATTENDED|ABSENT_FROM]->(:Meeting {id: mid})
RETURN collect(DISTINCT m.key) AS keys

// @name delta_member_rows
// The given members' rows of every member-keyed table (as proj_members, proj_member_links
// and the proj_* blocks of their edges), one row per table: `part` names it, `rows` holds
// its entries as lists (the parallel lists of proj_contacts, proj_reports,
// proj_meeting_people and proj_dues as one list per entry). One statement, not one per
// table: over Bolt each statement costs ~5 ms, so ten of them were most of a Neo4j
// catch-up (docs/design.md#change-log). Each branch aggregates before it names its part (a
// constant in the aggregating RETURN would group by it, and a branch that matched nothing
// would give no row on Neo4j), so each gives exactly one row.
UNWIND $keys AS k
MATCH (m:Member {key: k})
WITH collect([m.key, m.name, coalesce(m.on_roll, true), m.birth_date, m.category,
             m.mgmt_class, m.roles, m.joined_on, coalesce(m.lost_contact, false),
             m.suspended_on]) AS rows
RETURN 'members' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:BELONGS_TO|IN_GROUP|LIVES_IN]->(t)
WITH collect([m.key, type(r), coalesce(t.id, t.code)]) AS rows
RETURN 'links' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:CONTACTS]->(h)
WITH collect([m.key, h.id, coalesce(r.since, ''), coalesce(r.until, '')]) AS rows
RETURN 'contacts' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:RESPONSIBLE_FOR]->(t)
WITH collect([m.key, labels(t)[0], coalesce(t.id, t.code), r.since, r.until]) AS rows
RETURN 'responsibilities' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[:HAS_OUTFLOW]->(o:Outflow)
OPTIONAL MATCH (o)-[:TO]->(d:Area)
WITH collect([m.key, o.left_on, o.returned_on, d.code, o.transferred_on, o.contact_person,
             o.employer, o.destination_text]) AS rows
RETURN 'outflows' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[:REPORTED]->(r:Report)
WITH collect([m.key, coalesce(r.on, '')]) AS rows
RETURN 'reports' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:ATTENDS]->(o:Org)
WITH collect([m.key, o.id, r.since, r.until]) AS rows
RETURN 'attends' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:ATTENDED|ABSENT_FROM]->(km:Meeting)
WITH collect([m.key, km.id, type(r) = 'ATTENDED']) AS rows
RETURN 'meeting_people' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[:PAID]->(d:Dues)
WITH collect([m.key, d.paid_to, coalesce(d.paid_on, '')]) AS rows
RETURN 'dues' AS part, rows
UNION ALL
UNWIND $keys AS k
MATCH (m:Member {key: k})-[:APPOINTED]->(f:FirstSecretary)-[:TO]->(o:Org)
WITH collect([m.key, o.id, f.since, f.until, f.sent_by]) AS rows
RETURN 'first_secretaries' AS part, rows
