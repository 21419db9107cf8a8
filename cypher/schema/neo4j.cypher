// Neo4j 5 schema. Blocks are applied in order by `orgraph migrate`; the prefix vN_ is the
// schema version that introduced them. Every statement is idempotent (IF NOT EXISTS).

// @name v1_unique_meta_key
// Bookkeeping node (schema version) keyed by key.
CREATE CONSTRAINT meta_key_unique IF NOT EXISTS FOR (n:Meta) REQUIRE n.key IS UNIQUE

// @name v1_unique_area_code
// Administrative areas keyed by their division code.
CREATE CONSTRAINT area_code_unique IF NOT EXISTS FOR (n:Area) REQUIRE n.code IS UNIQUE

// @name v1_index_area_level
// Areas by level (county, township, village, hamlet).
CREATE INDEX area_level_idx IF NOT EXISTS FOR (n:Area) ON (n.level)

// @name v1_unique_org_id
// Party organizations keyed by org id.
CREATE CONSTRAINT org_id_unique IF NOT EXISTS FOR (n:Org) REQUIRE n.id IS UNIQUE

// @name v1_index_org_kind
// Organizations by kind (branch, group, mobile_branch, ...).
CREATE INDEX org_kind_idx IF NOT EXISTS FOR (n:Org) ON (n.kind)

// @name v1_unique_member_key
// Members keyed by member_no, or by the keyed hash of the ID number.
CREATE CONSTRAINT member_key_unique IF NOT EXISTS FOR (n:Member) REQUIRE n.key IS UNIQUE

// @name v1_index_member_id_hash
// Members by keyed ID-number hash (rosters that reference members by ID number).
CREATE INDEX member_id_hash_idx IF NOT EXISTS FOR (n:Member) ON (n.id_hash)

// @name v1_unique_household_id
// Households keyed by household id.
CREATE CONSTRAINT household_id_unique IF NOT EXISTS FOR (n:Household) REQUIRE n.id IS UNIQUE

// @name v1_unique_outflow_id
// Outflow episodes keyed by member key and departure date.
CREATE CONSTRAINT outflow_id_unique IF NOT EXISTS FOR (n:Outflow) REQUIRE n.id IS UNIQUE

// @name v1_unique_report_id
// Report events keyed by member, date and channel.
CREATE CONSTRAINT report_id_unique IF NOT EXISTS FOR (n:Report) REQUIRE n.id IS UNIQUE

// @name v1_unique_rectification_id
// Rectification of a weak organization, keyed by org id and opening date.
CREATE CONSTRAINT rectification_id_unique IF NOT EXISTS FOR (n:Rectification) REQUIRE n.id IS UNIQUE

// @name v2_unique_transfer_id
// Transfers of formal affiliation (组织关系转接), keyed by member key and date.
CREATE CONSTRAINT transfer_id_unique IF NOT EXISTS FOR (n:Transfer) REQUIRE n.id IS UNIQUE

// @name v3_unique_meeting_id
// Meetings (组织生活) keyed by org, type, date and topic.
CREATE CONSTRAINT meeting_id_unique IF NOT EXISTS FOR (n:Meeting) REQUIRE n.id IS UNIQUE

// @name v3_unique_dues_id
// Dues payments (党费) keyed by member key and the month paid up to.
CREATE CONSTRAINT dues_id_unique IF NOT EXISTS FOR (n:Dues) REQUIRE n.id IS UNIQUE

// @name v4_change_seq
// The change log (docs/design.md#change-log), read by sequence number.
CREATE INDEX change_seq IF NOT EXISTS FOR (n:Change) ON (n.seq)

// @name v5_first_secretary_id
// 第一书记 appointments keyed by member key, village Party organisation and start date.
CREATE CONSTRAINT first_secretary_id_unique IF NOT EXISTS FOR (n:FirstSecretary) REQUIRE n.id IS UNIQUE

// @name v5_inspection_id
// Inspections (督查记录) keyed by org, date and inspector.
CREATE CONSTRAINT inspection_id_unique IF NOT EXISTS FOR (n:Inspection) REQUIRE n.id IS UNIQUE

// @name v5_group_record_id
// Party-group records (党小组工作记录) keyed by group and month.
CREATE CONSTRAINT group_record_id_unique IF NOT EXISTS FOR (n:GroupRecord) REQUIRE n.id IS UNIQUE

// @name v6_unique_import_id
// Import history (docs/design.md#import-history): one node per finished import, keyed by id.
CREATE CONSTRAINT import_id_unique IF NOT EXISTS FOR (n:Import) REQUIRE n.id IS UNIQUE

// @name v7_unique_gap_item_uid
// The gap ledger's episodes (docs/rules.md "Gap life"), keyed by type|id|observation.
CREATE CONSTRAINT gap_item_uid_unique IF NOT EXISTS FOR (n:GapItem) REQUIRE n.uid IS UNIQUE

// @name v7_gap_item_key
// A gap item's episodes, read by type|id for the ages of a page of items.
CREATE INDEX gap_item_key IF NOT EXISTS FOR (n:GapItem) ON (n.key)

// @name v7_unique_gap_ledger
// The gap ledger's one stamp node.
CREATE CONSTRAINT gap_ledger_id_unique IF NOT EXISTS FOR (n:GapLedger) REQUIRE n.id IS UNIQUE

// @name v7_field_change_key
// Field history (docs/rules.md "Field history"): an entity's earlier values, read by its key.
CREATE INDEX field_change_key IF NOT EXISTS FOR (n:FieldChange) ON (n.key)

// @name v7_field_change_import
// Field history, read by the import that made the changes.
CREATE INDEX field_change_import IF NOT EXISTS FOR (n:FieldChange) ON (n.import)
