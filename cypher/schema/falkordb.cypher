// FalkorDB schema. Blocks are applied in order by `orgraph migrate`; the prefix vN_ is the
// schema version that introduced them. A block named *_unique_* also gets a unique constraint
// (created through GRAPH.CONSTRAINT, which needs this exact-match index first).

// @name v1_unique_meta_key
// Bookkeeping node (schema version) keyed by key.
CREATE INDEX FOR (n:Meta) ON (n.key)

// @name v1_unique_area_code
// Administrative areas keyed by their division code.
CREATE INDEX FOR (n:Area) ON (n.code)

// @name v1_index_area_level
// Areas by level (county, township, village, hamlet).
CREATE INDEX FOR (n:Area) ON (n.level)

// @name v1_unique_org_id
// Party organizations keyed by org id.
CREATE INDEX FOR (n:Org) ON (n.id)

// @name v1_index_org_kind
// Organizations by kind (branch, group, mobile_branch, ...).
CREATE INDEX FOR (n:Org) ON (n.kind)

// @name v1_unique_member_key
// Members keyed by member_no, or by the keyed hash of the ID number.
CREATE INDEX FOR (n:Member) ON (n.key)

// @name v1_index_member_id_hash
// Members by keyed ID-number hash (rosters that reference members by ID number).
CREATE INDEX FOR (n:Member) ON (n.id_hash)

// @name v1_unique_household_id
// Households keyed by household id.
CREATE INDEX FOR (n:Household) ON (n.id)

// @name v1_unique_outflow_id
// Outflow episodes keyed by member key and departure date.
CREATE INDEX FOR (n:Outflow) ON (n.id)

// @name v1_unique_report_id
// Report events keyed by member, date and channel.
CREATE INDEX FOR (n:Report) ON (n.id)

// @name v1_unique_rectification_id
// Rectification of a weak organization, keyed by org id and opening date.
CREATE INDEX FOR (n:Rectification) ON (n.id)

// @name v2_unique_transfer_id
// Transfers of formal affiliation (组织关系转接), keyed by member key and date.
CREATE INDEX FOR (n:Transfer) ON (n.id)

// @name v3_unique_meeting_id
// Meetings (组织生活) keyed by org, type, date and topic.
CREATE INDEX FOR (n:Meeting) ON (n.id)

// @name v3_unique_dues_id
// Dues payments (党费) keyed by member key and the month paid up to.
CREATE INDEX FOR (n:Dues) ON (n.id)

// @name v4_change_seq
// The change log (docs/design.md#change-log), read by sequence number.
CREATE INDEX FOR (n:Change) ON (n.seq)

// @name v5_first_secretary_id
// 第一书记 appointments keyed by member key, village Party organisation and start date.
CREATE INDEX FOR (n:FirstSecretary) ON (n.id)

// @name v5_inspection_id
// Inspections (督查记录) keyed by org, date and inspector.
CREATE INDEX FOR (n:Inspection) ON (n.id)

// @name v5_group_record_id
// Party-group records (党小组工作记录) keyed by group and month.
CREATE INDEX FOR (n:GroupRecord) ON (n.id)

// @name v6_unique_import_id
// Import history (docs/design.md#import-history): one node per finished import, keyed by id.
CREATE INDEX FOR (n:Import) ON (n.id)

// @name v7_unique_gap_item_uid
// The gap ledger's episodes (docs/rules.md "Gap life"), keyed by type|id|observation.
CREATE INDEX FOR (n:GapItem) ON (n.uid)

// @name v7_gap_item_key
// A gap item's episodes, read by type|id for the ages of a page of items.
CREATE INDEX FOR (n:GapItem) ON (n.key)

// @name v7_unique_gap_ledger
// The gap ledger's one stamp node.
CREATE INDEX FOR (n:GapLedger) ON (n.id)

// @name v7_field_change_key
// Field history (docs/rules.md "Field history"): an entity's earlier values, read by its key.
CREATE INDEX FOR (n:FieldChange) ON (n.key)

// @name v7_field_change_import
// Field history, read by the import that made the changes.
CREATE INDEX FOR (n:FieldChange) ON (n.import)
