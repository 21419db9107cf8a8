// Records behind the HTTP API: single members, households, areas and orgs read by key, and the
// strict create / update / end writes. Lists and scope checks run over the analysis
// projection; these blocks fetch the details of one page at a time.

// @name record_members
// Stored details of the given members (one page of a list, or one member).
UNWIND $keys AS k
MATCH (m:Member {key: k})
OPTIONAL MATCH (m)-[:LIVES_IN]->(h:Household)
RETURN m.key AS key, m.name AS name, m.member_no AS member_no, m.id_masked AS id_masked,
       m.gender AS gender, m.ethnicity AS ethnicity, m.birth_date AS birth_date,
       m.education AS education, m.category AS category, m.joined_on AS joined_on,
       m.full_on AS full_on, m.phone AS phone, m.mgmt_class AS mgmt_class, m.roles AS roles,
       m.is_mobile AS is_mobile, m.lost_contact AS lost_contact, m.on_roll AS on_roll,
       m.off_roll_on AS off_roll_on, m.off_roll_reason AS off_roll_reason,
       collect(h.id)[0] AS household

// @name record_member_by_id_hash
// The key of a member with this keyed ID-number hash, if any (duplicate check on create).
MATCH (m:Member {id_hash: $id_hash})
RETURN m.key AS key

// @name record_create_member
// @write
// @touches member:$key
// Create one member; CREATE, not MERGE, so an existing key fails on the unique constraint.
CREATE (m:Member {key: $key})
SET m += $props
RETURN m.key AS key

// @name record_end_member
// @write
// @touches member:$key
// Take an on-roll member off the roll (transferred out, deceased, removed); nothing is deleted.
MATCH (m:Member {key: $key})
WHERE m.on_roll = true
SET m.on_roll = false, m.off_roll_on = $on, m.off_roll_reason = $reason
RETURN m.key AS key

// @name record_households
// Stored details of the given households.
UNWIND $ids AS hid
MATCH (h:Household {id: hid})
RETURN h.id AS id, h.head_name AS head_name, h.address AS address, h.size AS size,
       h.tags AS tags, h.phone AS phone, h.lon AS lon, h.lat AS lat

// @name lookup_households_by_name
// Ids of households whose head's name contains the text (search; filtered to a scope later).
MATCH (h:Household)
WHERE h.head_name CONTAINS $q
RETURN h.id AS id

// @name record_create_household
// @write
// @touches household:$id
// Create one household in an existing area; CREATE fails on an existing id.
MATCH (a:Area {code: $area})
CREATE (h:Household {id: $id})
SET h += $props
CREATE (h)-[:IN]->(a)
RETURN h.id AS id

// @name record_areas
// Coordinates of the given areas.
UNWIND $codes AS c
MATCH (a:Area {code: c})
RETURN a.code AS code, a.lon AS lon, a.lat AS lat

// @name record_org_hosts
// Where the given orgs are hosted (mobile branches: their destination area).
UNWIND $ids AS oid
MATCH (o:Org {id: oid})-[:HOSTED_IN]->(a:Area)
RETURN o.id AS id, a.code AS code, a.name AS name

// @name record_end_contacts
// @write
// @touches member:$member
// End a member's contacts with a household that are active on $until (since ≤ until, not yet
// ended); returns how many were ended.
MATCH (m:Member {key: $member})-[r:CONTACTS]->(h:Household {id: $household})
WHERE (r.since IS NULL OR r.since <= $until) AND (r.until IS NULL OR r.until = ''
      OR r.until > $until)
SET r.until = $until
RETURN count(r) AS ended

// @name record_outflows
// Outflow episodes of the given members with destination and host org.
UNWIND $keys AS k
MATCH (m:Member {key: k})-[:HAS_OUTFLOW]->(o:Outflow)
OPTIONAL MATCH (o)-[:TO]->(d:Area)
OPTIONAL MATCH (o)-[:HOSTED_BY]->(h:Org)
RETURN k AS member, o.id AS id, o.left_on AS left_on, o.returned_on AS returned_on,
       o.reason AS reason, o.employer AS employer, o.phone_away AS phone_away,
       o.destination_text AS destination_text, d.code AS dest_code, d.name AS dest_name,
       h.id AS host_id, h.name AS host_name

// @name record_report_index
// Every report of the given members as parallel lists (member, report id, date), for paging.
UNWIND $keys AS k
MATCH (m:Member {key: k})-[:REPORTED]->(r:Report)
RETURN collect(k) AS members, collect(r.id) AS ids, collect(coalesce(r.on, '')) AS dates

// @name record_reports
// Details of the given reports and the org reported to.
UNWIND $ids AS rid
MATCH (r:Report {id: rid})
OPTIONAL MATCH (r)-[:TO]->(o:Org)
RETURN r.id AS id, r.on AS on, r.channel AS channel, r.org_text AS org_text, o.id AS org_id,
       o.name AS org_name

// @name record_member_keys
// Which of the given member keys exist.
UNWIND $keys AS k
MATCH (m:Member {key: k})
RETURN m.key AS key

// @name record_org
// One organization's id, name and kind.
MATCH (o:Org {id: $id})
RETURN o.id AS id, o.name AS name, o.kind AS kind

// @name record_meeting_hosts
// Host (主持人/讲课人) of the given meetings.
UNWIND $ids AS mid
MATCH (k:Meeting {id: mid})
RETURN k.id AS id, k.host AS host
