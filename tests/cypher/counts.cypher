// Counts only the tests compare (the acceptance test's roster totals, before/after checks).

// @name count_roster_entities
// Node count per label of what rosters imported (external destination areas and orgs excluded).
MATCH (n)
WHERE NOT n:Meta AND NOT n:Change AND coalesce(n.external, false) = false
RETURN labels(n)[0] AS label, count(n) AS nodes
ORDER BY label

// @name count_contact_links
// Number of contact (包户) and responsibility (包乡镇/包村/包组) links.
MATCH (:Member)-[r:CONTACTS|RESPONSIBLE_FOR]->()
RETURN count(r) AS links
