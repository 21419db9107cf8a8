// Members away (流动党员): the outflow lifecycle written by orgraph.mobility.services, and the
// reads behind a member's timeline. Destinations, host orgs and mobile branches reuse the
// import blocks (upsert_places, upsert_outflows, upsert_reports, upsert_external_orgs,
// upsert_orgs, link_orgs) so a service call and a roster row leave the same graph.

// @name member_mobility_state
// A member's roll status and every outflow episode (for checks before a lifecycle write).
MATCH (m:Member {key: $member})
OPTIONAL MATCH (m)-[:HAS_OUTFLOW]->(o:Outflow)
RETURN m.key AS key, m.name AS name, coalesce(m.on_roll, true) AS on_roll,
       collect([o.id, o.left_on, o.returned_on, o.transferred_on]) AS episodes

// @name org_standing
// An org's kind, external flag, whether it has a parent, and the levels of the areas it or an
// ancestor serves with their distance (to check who may approve a mobile branch).
MATCH (o:Org {id: $id})
OPTIONAL MATCH (o)-[:UNDER]->(parent:Org)
OPTIONAL MATCH path = (o)-[:UNDER*0..8]->(:Org)-[:SERVES]->(a:Area)
RETURN o.id AS id, o.name AS name, o.kind AS kind, coalesce(o.external, false) AS external,
       parent IS NOT NULL AS has_parent, a.level AS level, length(path) AS hops

// @name end_outflow
// @write
// @touches member:$member
// End one outflow episode of a member: set returned_on (a return) or transferred_on (a
// transfer).
MATCH (:Member {key: $member})-[:HAS_OUTFLOW]->(o:Outflow {id: $id})
SET o += $props
RETURN o.id AS id

// @name end_attendance
// @write
// @touches member:$member
// End a member's open attendance links that began in the episode that is ending.
MATCH (m:Member {key: $member})-[r:ATTENDS]->(:Org)
WHERE r.until IS NULL AND r.since >= $since
SET r.until = $on
RETURN count(r) AS ended

// @name add_attendance
// @write
// @touches member:$member
// A member takes part in an org's life from a date (ATTENDS), created once per date.
MATCH (m:Member {key: $member})
MATCH (o:Org {id: $org})
MERGE (m)-[r:ATTENDS {since: $since}]->(o)
RETURN m.key AS member, o.id AS org, r.since AS since

// @name record_transfer
// @write
// @touches member:$member
// Record a transfer of a member's formal affiliation (组织关系转接) as a history node.
MATCH (m:Member {key: $member})
MERGE (t:Transfer {id: $id})
SET t += $props
MERGE (m)-[:HAS_TRANSFER]->(t)
RETURN t.id AS id

// @name move_affiliation
// @write
// @touches member:$member
// Replace a member's branch and party group links with one branch; set its roll status.
MATCH (m:Member {key: $member})
MATCH (to:Org {id: $org})
OPTIONAL MATCH (m)-[old:BELONGS_TO|IN_GROUP]->(:Org)
DELETE old
WITH DISTINCT m, to
MERGE (m)-[:BELONGS_TO]->(to)
SET m.on_roll = $on_roll, m.off_roll_reason = $reason, m.off_roll_on = $off_on
RETURN m.key AS member

// @name timeline_outflows
// A member's outflow episodes with destination and host org.
MATCH (m:Member {key: $member})-[:HAS_OUTFLOW]->(o:Outflow)
OPTIONAL MATCH (o)-[:TO]->(d:Area)
OPTIONAL MATCH (o)-[:HOSTED_BY]->(h:Org)
RETURN o.id AS id, o.left_on AS left_on, o.returned_on AS returned_on,
       o.transferred_on AS transferred_on, d.code AS dest, d.name AS dest_name,
       o.destination_text AS destination_text, o.reason AS reason, o.employer AS employer,
       o.card_no AS card_no, o.contact_person AS contact_person, h.id AS host, h.name AS host_name

// @name timeline_reports
// A member's reports with the org reported to.
MATCH (m:Member {key: $member})-[:REPORTED]->(r:Report)
OPTIONAL MATCH (r)-[:TO]->(o:Org)
RETURN r.on AS on, r.channel AS channel, o.id AS org, coalesce(o.name, r.org_text) AS org_name

// @name timeline_attendance
// A member's attendance of org life at destinations.
MATCH (m:Member {key: $member})-[r:ATTENDS]->(o:Org)
RETURN r.since AS since, r.until AS until, o.id AS org, o.name AS org_name

// @name timeline_transfers
// A member's transfers of formal affiliation.
MATCH (m:Member {key: $member})-[:HAS_TRANSFER]->(t:Transfer)
RETURN t.on AS on, t.from_orgs AS from_orgs, t.to_org AS to_org, t.to_name AS to_name
