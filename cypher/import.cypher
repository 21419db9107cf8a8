// Roster import. Each kind has: a lookup of what exists (for reference checks and diffs), a node
// upsert, and relationship statements that replace a changed entity's links. The importer only
// sends rows that are new or changed, so a second import of the same file writes nothing.

// @name import_lock_state
// Who holds the graph's import lock (docs/design.md#importer), and ms left of their lease (negative: stale); no row when nobody does.
MATCH (l:Meta {key: 'import_lock'})
WHERE l.owner IS NOT NULL
RETURN l.owner AS owner, l.holder AS holder, l.expires - timestamp() AS left_ms

// @name acquire_import_lock
// @write
// Take the import lock for $token if it is free, stale or ours already; returns the holder after. Setting claimed first takes the node's write lock on Neo4j, so a second claimant reads the first one's owner (on FalkorDB it is one write query).
MERGE (l:Meta {key: 'import_lock'})
SET l.claimed = $token
WITH l
WITH l, (l.owner IS NULL OR l.owner = $token OR l.expires < timestamp()) AS free
SET l.owner = CASE WHEN free THEN $token ELSE l.owner END,
    l.holder = CASE WHEN free THEN $holder ELSE l.holder END,
    l.expires = CASE WHEN free THEN timestamp() + $lease_ms ELSE l.expires END
RETURN l.owner AS owner, l.holder AS holder, l.expires - timestamp() AS left_ms

// @name renew_import_lock
// @write
// Extend the lease of the import lock held by $token; no row when it is no longer theirs.
MATCH (l:Meta {key: 'import_lock'})
SET l.claimed = $token
WITH l
WHERE l.owner = $token
SET l.expires = timestamp() + $lease_ms
RETURN l.owner AS owner

// @name release_import_lock
// @write
// Release the import lock held by $token (the node stays, without an owner).
MATCH (l:Meta {key: 'import_lock'})
SET l.claimed = $token
WITH l
WHERE l.owner = $token
SET l.owner = null, l.holder = null, l.expires = null
RETURN count(l) AS released

// @name lookup_areas
// Every area with its parent code, for reference checks and diffs.
MATCH (a:Area)
OPTIONAL MATCH (a)-[:PART_OF]->(p:Area)
RETURN a.code AS code, a.name AS name, a.level AS level, a.lon AS lon, a.lat AS lat,
       a.external AS external, p.code AS parent

// @name link_area_parents
// @write
// @touches areas
// Replace each listed area's parent link (no parent: the link is removed).
UNWIND $rows AS row
MATCH (a:Area {code: row.code})
OPTIONAL MATCH (a)-[old:PART_OF]->()
DELETE old
WITH DISTINCT a, row
MATCH (p:Area {code: row.parent})
MERGE (a)-[:PART_OF]->(p)
RETURN count(*) AS linked

// @name upsert_places
// @write
// @touches areas
// Destination places outside the county (geocoded cities and counties), created once.
UNWIND $rows AS row
MERGE (a:Area {code: row.code})
ON CREATE SET a.name = row.name, a.level = row.level, a.lon = row.lon, a.lat = row.lat,
              a.province = row.province, a.external = true
WITH a, row
OPTIONAL MATCH (p:Area {code: row.parent})
FOREACH (_ IN CASE WHEN p IS NULL OR row.parent = row.code THEN [] ELSE [1] END |
  MERGE (a)-[:PART_OF]->(p))
RETURN count(a) AS written

// @name places_stored
// Which of the given area codes exist, each with the area it is PART_OF (null for none): a
// departure to a place already stored writes (and logs) nothing for it.
UNWIND $codes AS code
MATCH (a:Area {code: code})
OPTIONAL MATCH (a)-[:PART_OF]->(p:Area)
RETURN a.code AS code, p.code AS parent

// @name lookup_orgs
// Every organization with its parent, area and host area, and every rectification episode
// ([opened_on, deadline, status]; an org listed again has several), for reference checks and
// diffs.
MATCH (o:Org)
OPTIONAL MATCH (o)-[:UNDER]->(p:Org)
OPTIONAL MATCH (o)-[:SERVES]->(a:Area)
OPTIONAL MATCH (o)-[:HOSTED_IN]->(h:Area)
OPTIONAL MATCH (o)-[:RECTIFICATION]->(r:Rectification)
WITH o, p, a, h,
     collect(CASE WHEN r IS NULL THEN null ELSE [r.opened_on, r.deadline, r.status] END) AS rects
RETURN o.id AS id, o.name AS name, o.kind AS kind, o.established_on AS established_on,
       o.term_end AS term_end, o.weak AS weak, o.host_area_text AS host_area_text,
       p.id AS parent, a.code AS area, h.code AS host, rects

// @name upsert_orgs
// @write
// @touches orgs
// Create or update organizations by id.
UNWIND $rows AS row
MERGE (o:Org {id: row.id})
SET o += row.props
RETURN count(o) AS written

// @name link_orgs
// @write
// @touches orgs
// Replace each listed org's parent, served area and host area links.
UNWIND $rows AS row
MATCH (o:Org {id: row.id})
OPTIONAL MATCH (o)-[old:UNDER|SERVES|HOSTED_IN]->()
DELETE old
WITH DISTINCT o, row
OPTIONAL MATCH (p:Org {id: row.parent})
OPTIONAL MATCH (a:Area {code: row.area})
OPTIONAL MATCH (h:Area {code: row.host})
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | MERGE (o)-[:UNDER]->(p))
FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | MERGE (o)-[:SERVES]->(a))
FOREACH (_ IN CASE WHEN h IS NULL THEN [] ELSE [1] END | MERGE (o)-[:HOSTED_IN]->(h))
RETURN count(*) AS linked

// @name upsert_rectifications
// @write
// @touches orgs
// Create or update the rectification of a weak organization, keyed by org id and opening date.
UNWIND $rows AS row
MATCH (o:Org {id: row.org})
MERGE (r:Rectification {id: row.id})
SET r.opened_on = row.opened_on, r.deadline = row.deadline, r.status = row.status
MERGE (o)-[:RECTIFICATION]->(r)
RETURN count(r) AS written

// @name existing_households
// Which of the given household ids exist, with their area, for reference checks.
UNWIND $ids AS hid
MATCH (h:Household {id: hid})
OPTIONAL MATCH (h)-[:IN]->(a:Area)
RETURN h.id AS id, a.code AS area

// @name household_states
// Stored properties and area of the given households, for diffs.
UNWIND $ids AS hid
MATCH (h:Household {id: hid})
OPTIONAL MATCH (h)-[:IN]->(a:Area)
RETURN h.id AS id, h.head_name AS head_name, h.address AS address, h.size AS size,
       h.tags AS tags, h.phone AS phone, h.lon AS lon, h.lat AS lat, a.code AS area

// @name upsert_households
// @write
// @touches household:rows.id
// Create or update households by id in their area, and drop the link to an area they left.
UNWIND $rows AS row
MATCH (a:Area {code: row.area})
MERGE (h:Household {id: row.id})
SET h += row.props
MERGE (h)-[:IN]->(a)
WITH h, row
MATCH (h)-[old:IN]->(prev:Area)
WHERE prev.code <> row.area
DELETE old
RETURN count(old) AS moved

// @name create_households
// @write
// @touches household:rows.id
// Create households the import found in neither the graph nor its earlier files, in their area: upsert_households less MERGE's lookups (half the server's time of a fresh county). The id is SET with the rest, not given in the pattern: FalkorDB indexes a node once per clause that gives it properties, so CREATE {id} then SET would index each household twice and leave as much garbage for the index's collector, whose runs stalled a city's writes 4-6x (docs/scale.md "Imports"); the same holds for the other create_* blocks.
UNWIND $rows AS row
MATCH (a:Area {code: row.area})
CREATE (h:Household)-[:IN]->(a)
SET h += row.props, h.id = row.id
RETURN count(h) AS written

// @name lookup_members
// Every member's key, 人员编号, ID-number hash and roll status, for reference checks.
MATCH (m:Member)
RETURN m.key AS key, m.member_no AS member_no, m.id_hash AS id_hash, m.on_roll AS on_roll

// @name member_states
// Stored properties and links of the given members (every branch and group), for diffs.
UNWIND $keys AS k
MATCH (m:Member {key: k})
OPTIONAL MATCH (m)-[:BELONGS_TO]->(b:Org)
WITH m, k, collect(DISTINCT b.id) AS branches
OPTIONAL MATCH (m)-[:IN_GROUP]->(g:Org)
WITH m, k, branches, collect(DISTINCT g.id) AS grps
OPTIONAL MATCH (m)-[:LIVES_IN]->(h:Household)
RETURN k AS key, properties(m) AS props, branches, grps, collect(h.id)[0] AS household

// @name upsert_members
// @write
// @touches member:rows.key
// Create or update members by key (member_no, or the keyed hash of the ID number).
UNWIND $rows AS row
MERGE (m:Member {key: row.key})
SET m += row.props
RETURN count(m) AS written

// @name create_members
// @write
// @touches member:rows.key
// Create members the import found in neither the graph nor its earlier files: upsert_members less MERGE's lookup. The key is SET with the rest, as in create_households (why: there).
UNWIND $rows AS row
CREATE (m:Member)
SET m += row.props, m.key = row.key
RETURN count(m) AS written

// @name unlink_members
// @write
// @touches member:$keys
// Remove the roster-derived links (branch, group, household, roles) of the given members.
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:BELONGS_TO|IN_GROUP|LIVES_IN|HOLDS]->()
DELETE r
RETURN count(r) AS removed

// @name link_members
// @write
// @touches member:rows.key
// Link members to their branches (several when rosters disagree), party groups, household, and
// the roles they hold in their first branch.
UNWIND $rows AS row
MATCH (m:Member {key: row.key})
OPTIONAL MATCH (h:Household {id: row.household})
FOREACH (_ IN CASE WHEN h IS NULL THEN [] ELSE [1] END | MERGE (m)-[:LIVES_IN]->(h))
WITH m, row
UNWIND CASE WHEN size(row.branches) = 0 THEN [null] ELSE row.branches END AS bid
OPTIONAL MATCH (b:Org {id: bid})
FOREACH (_ IN CASE WHEN b IS NULL THEN [] ELSE [1] END |
  MERGE (m)-[:BELONGS_TO {since: row.since}]->(b))
FOREACH (role IN CASE WHEN b IS NULL OR bid <> row.branches[0] THEN [] ELSE row.roles END |
  MERGE (m)-[:HOLDS {role: role}]->(b))
WITH DISTINCT m, row
UNWIND CASE WHEN size(row.grps) = 0 THEN [null] ELSE row.grps END AS gid
OPTIONAL MATCH (g:Org {id: gid})
FOREACH (_ IN CASE WHEN g IS NULL THEN [] ELSE [1] END | MERGE (m)-[:IN_GROUP]->(g))
RETURN count(DISTINCT m) AS linked

// @name members_on_roll_in_branches
// Keys of on-roll members affiliated with any of the given branches (snapshot scope).
// (The WITH keeps FalkorDB from starting at every node to apply the on_roll filter.)
UNWIND $branches AS bid
MATCH (b:Org {id: bid})<-[:BELONGS_TO]-(m)
WITH m
WHERE m.on_roll = true
RETURN DISTINCT m.key AS key

// @name mark_off_roll
// @write
// @touches member:$keys
// Mark members off roll on a date; nothing is deleted, history stays.
UNWIND $keys AS k
MATCH (m:Member {key: k})
WHERE m.on_roll = true
SET m.on_roll = false, m.off_roll_on = $on
RETURN count(m) AS marked

// @name contact_states
// Existing contact and responsibility links of the given members, for diffs.
UNWIND $keys AS k
MATCH (m:Member {key: k})-[r:CONTACTS|RESPONSIBLE_FOR]->(t)
RETURN k AS member, type(r) AS rel, labels(t)[0] AS label, coalesce(t.id, t.code) AS target,
       r.since AS since, r.until AS until

// @name drop_twin_links
// @write
// @touches member:rows.member
// Keep one of the links that share (member, type, target, since) and delete the others: twins
// that concurrent writers left before one write ran at a time (docs/design.md#importer).
UNWIND $rows AS row
MATCH (m:Member {key: row.member})-[r:CONTACTS|RESPONSIBLE_FOR]->(t)
WHERE type(r) = row.rel AND labels(t)[0] = row.label AND coalesce(t.id, t.code) = row.target
  AND coalesce(r.since, '') = row.since
WITH row, collect(r) AS links
UNWIND links[1..] AS twin
DELETE twin
RETURN count(*) AS deleted

// @name upsert_household_contacts
// @write
// @touches member:rows.member
// Create or update member → household contacts keyed by (member, household, since).
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MATCH (h:Household {id: row.target})
MERGE (m)-[r:CONTACTS {since: row.since}]->(h)
SET r.until = row.until
RETURN count(r) AS written

// @name upsert_area_responsibilities
// @write
// @touches member:rows.member
// Create or update member → area responsibilities (包乡镇、包村、包组) keyed by since.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MATCH (a:Area {code: row.target})
MERGE (m)-[r:RESPONSIBLE_FOR {since: row.since}]->(a)
SET r.until = row.until
RETURN count(r) AS written

// @name upsert_org_responsibilities
// @write
// @touches member:rows.member
// Create or update member → party group responsibilities (联系党小组) keyed by since.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MATCH (o:Org {id: row.target})
MERGE (m)-[r:RESPONSIBLE_FOR {since: row.since}]->(o)
SET r.until = row.until
RETURN count(r) AS written

// @name outflow_states
// Stored outflow episodes of the given ids, with destination and host org, for diffs.
UNWIND $ids AS oid
MATCH (o:Outflow {id: oid})
OPTIONAL MATCH (o)-[:TO]->(d:Area)
OPTIONAL MATCH (o)-[:HOSTED_BY]->(h:Org)
RETURN o.id AS id, properties(o) AS props, d.code AS dest, h.id AS host

// @name upsert_outflows
// @write
// @touches member:rows.member
// Create or update outflow episodes and relink member, destination and host org.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MERGE (o:Outflow {id: row.id})
SET o += row.props
MERGE (m)-[:HAS_OUTFLOW]->(o)
WITH m, o, row
OPTIONAL MATCH (o)-[old:TO|HOSTED_BY]->()
DELETE old
WITH DISTINCT m, o, row
OPTIONAL MATCH (d:Area {code: row.dest})
OPTIONAL MATCH (h:Org {id: row.host})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (o)-[:TO]->(d))
FOREACH (_ IN CASE WHEN h IS NULL THEN [] ELSE [1] END |
  MERGE (o)-[:HOSTED_BY]->(h)
  MERGE (m)-[a:ATTENDS {since: row.props.left_on}]->(h)
  SET a.until = coalesce(row.props.returned_on, row.props.transferred_on))
RETURN count(o) AS written

// @name existing_reports
// Which of the given report ids exist already.
UNWIND $ids AS rid
MATCH (r:Report {id: rid})
RETURN r.id AS id

// @name upsert_reports
// @write
// @touches member:rows.member
// Create report events (报到/报平安) for members, linked to the org reported to if known.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MERGE (r:Report {id: row.id})
SET r += row.props
MERGE (m)-[:REPORTED]->(r)
WITH r, row
OPTIONAL MATCH (o:Org {id: row.org})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | MERGE (r)-[:TO]->(o))
RETURN count(r) AS written

// @name create_reports
// @write
// @touches member:rows.member
// Create report events the import found in neither the graph nor its earlier files: upsert_reports less MERGE's lookups.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
CREATE (m)-[:REPORTED]->(r:Report)
SET r += row.props, r.id = row.id
WITH r, row
OPTIONAL MATCH (o:Org {id: row.org})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | CREATE (r)-[:TO]->(o))
RETURN count(r) AS written

// @name upsert_external_orgs
// @write
// @touches orgs
// Organizations at destinations that are not in the county's org file (流入地党组织), created once.
UNWIND $rows AS row
MERGE (o:Org {id: row.id})
ON CREATE SET o.name = row.name, o.kind = 'external', o.external = true
WITH o, row
OPTIONAL MATCH (a:Area {code: row.host})
FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | MERGE (o)-[:HOSTED_IN]->(a))
RETURN count(o) AS written

// @name meeting_states
// Stored meetings of the given ids with their org, attendees and absentees, for diffs.
UNWIND $ids AS mid
MATCH (k:Meeting {id: mid})-[:HELD_BY]->(o:Org)
OPTIONAL MATCH (a:Member)-[:ATTENDED]->(k)
WITH k, o, collect(a.key) AS attendees
OPTIONAL MATCH (b:Member)-[:ABSENT_FROM]->(k)
RETURN k.id AS id, k.type AS type, k.on AS on, k.topic AS topic, k.expected AS expected,
       k.present AS present, k.host AS host, k.org_text AS org_text, k.listed AS listed,
       o.id AS org, attendees, collect(b.key) AS absentees

// @name upsert_meetings
// @write
// @touches meeting:rows.id
// Create or update meetings (组织生活) by id (org|type|date|topic), held by their org.
UNWIND $rows AS row
MATCH (o:Org {id: row.org})
MERGE (k:Meeting {id: row.id})
SET k += row.props
MERGE (k)-[:HELD_BY]->(o)
RETURN count(k) AS written

// @name create_meetings
// @write
// @touches meeting:rows.id
// Create meetings the import found in neither the graph nor its earlier files: upsert_meetings less MERGE's lookups.
UNWIND $rows AS row
MATCH (o:Org {id: row.org})
CREATE (k:Meeting)-[:HELD_BY]->(o)
SET k += row.props, k.id = row.id
RETURN count(k) AS written

// @name unlink_meeting_people
// @write
// @touches meeting:rows.id
// Remove the attendance and absence links of the given meetings (they are relinked next).
UNWIND $rows AS row
MATCH (:Member)-[r:ATTENDED|ABSENT_FROM]->(:Meeting {id: row.id})
DELETE r
RETURN count(r) AS removed

// @name link_meeting_attendees
// @write
// @touches meeting:rows.id member:rows.member
// Members who attended a meeting (参加人员).
UNWIND $rows AS row
MATCH (k:Meeting {id: row.id})
MATCH (m:Member {key: row.member})
MERGE (m)-[:ATTENDED]->(k)
RETURN count(*) AS linked

// @name create_meeting_attendees
// @write
// @touches meeting:rows.id member:rows.member
// Members who attended a meeting the import created (no link to find first).
UNWIND $rows AS row
MATCH (k:Meeting {id: row.id})
MATCH (m:Member {key: row.member})
CREATE (m)-[:ATTENDED]->(k)
RETURN count(*) AS linked

// @name link_meeting_absentees
// @write
// @touches meeting:rows.id member:rows.member
// Members recorded absent from a meeting (缺席人员).
UNWIND $rows AS row
MATCH (k:Meeting {id: row.id})
MATCH (m:Member {key: row.member})
MERGE (m)-[:ABSENT_FROM]->(k)
RETURN count(*) AS linked

// @name create_meeting_absentees
// @write
// @touches meeting:rows.id member:rows.member
// Members recorded absent from a meeting the import created (no link to find first).
UNWIND $rows AS row
MATCH (k:Meeting {id: row.id})
MATCH (m:Member {key: row.member})
CREATE (m)-[:ABSENT_FROM]->(k)
RETURN count(*) AS linked

// @name dues_states
// Stored dues payments of the given ids, for diffs.
UNWIND $ids AS did
MATCH (d:Dues {id: did})
RETURN d.id AS id, d.paid_to AS paid_to, d.paid_on AS paid_on, d.amount AS amount

// @name upsert_dues
// @write
// @touches member:rows.member
// Create or update dues payments (党费) by id (member|paid_to), paid by their member.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MERGE (d:Dues {id: row.id})
SET d += row.props
MERGE (m)-[:PAID]->(d)
RETURN count(d) AS written

// @name create_dues
// @write
// @touches member:rows.member
// Create dues payments the import found in neither the graph nor its earlier files: upsert_dues less MERGE's lookups.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
CREATE (m)-[:PAID]->(d:Dues)
SET d += row.props, d.id = row.id
RETURN count(d) AS written

// @name first_secretary_states
// Stored 第一书记 appointments of the given ids, for diffs.
UNWIND $ids AS fid
MATCH (f:FirstSecretary {id: fid})
RETURN f.id AS id, f.since AS since, f.until AS until, f.sent_by AS sent_by,
       f.org_text AS org_text

// @name upsert_first_secretaries
// @write
// @touches member:rows.member
// Create or update 第一书记 appointments by id (member|org|since): the member appointed, the
// village Party organisation it is sent to.
UNWIND $rows AS row
MATCH (m:Member {key: row.member})
MATCH (o:Org {id: row.org})
MERGE (f:FirstSecretary {id: row.id})
SET f += row.props
MERGE (m)-[:APPOINTED]->(f)
MERGE (f)-[:TO]->(o)
RETURN count(f) AS written

// @name rect_ledger_states
// Stored rectification episodes of the given ids (org|opened_on), for the ledger's diffs.
UNWIND $ids AS rid
MATCH (o:Org)-[:RECTIFICATION]->(r:Rectification {id: rid})
RETURN r.id AS id, o.id AS org, r.opened_on AS opened_on, r.problems AS problems,
       r.plan_on AS plan_on, r.county_leader AS county_leader,
       r.township_team AS township_team, r.sent_unit AS sent_unit, r.deadline AS deadline,
       r.accepted_on AS accepted_on, r.result AS result, r.status AS status,
       r.org_text AS org_text

// @name upsert_rect_ledger
// @write
// @touches orgs
// Create or update rectification episodes from the 整顿台账, keyed by org id and 列入日期
// (the same episodes the 党组织 roster's 整顿 columns write).
UNWIND $rows AS row
MATCH (o:Org {id: row.org})
MERGE (r:Rectification {id: row.id})
SET r += row.props
MERGE (o)-[:RECTIFICATION]->(r)
RETURN count(r) AS written

// @name inspection_states
// Stored inspections of the given ids (org|on|inspector), for diffs.
UNWIND $ids AS iid
MATCH (i:Inspection {id: iid})
RETURN i.id AS id, i.on AS on, i.inspector AS inspector, i.findings AS findings,
       i.follow_up AS follow_up, i.org_text AS org_text

// @name upsert_inspections
// @write
// @touches orgs
// Create or update inspections (督查记录) by id, each of one organisation.
UNWIND $rows AS row
MATCH (o:Org {id: row.org})
MERGE (i:Inspection {id: row.id})
SET i += row.props
MERGE (i)-[:OF]->(o)
RETURN count(i) AS written

// @name group_record_states
// Stored party-group records of the given ids (group|month), for diffs.
UNWIND $ids AS gid
MATCH (g:GroupRecord {id: gid})
RETURN g.id AS id, g.month AS month, g.summary AS summary, g.inspected_on AS inspected_on,
       g.finding AS finding, g.score AS score, g.grade AS grade, g.org_text AS org_text

// @name upsert_group_records
// @write
// @touches orgs
// Create or update party-group records (党小组工作记录) by id, each of one group.
UNWIND $rows AS row
MATCH (o:Org {id: row.org})
MERGE (g:GroupRecord {id: row.id})
SET g += row.props
MERGE (g)-[:OF]->(o)
RETURN count(g) AS written

// @name import_mark
// The import mark (docs/design.md#importer, "A re-import of the same files"): the digest of
// the inputs of an import that wrote nothing, the revision it read, and its report (JSON
// text); no row before the first import that left one.
MATCH (k:Meta {key: 'import_mark'})
RETURN k.inputs AS inputs, k.rev AS rev, k.report AS report

// @name set_import_mark
// @write
// Replace the import mark (null values: no mark). No revision bump: nothing a reader sees
// changes (store/base.py NO_BUMP).
MERGE (k:Meta {key: 'import_mark'})
SET k.inputs = $inputs, k.rev = $rev, k.report = $report
RETURN count(k) AS marked
