-- household_members_household (0006) indexes (household_id, person_id): exactly the primary key,
-- which already serves household 360's lookups. Every membership paid for two identical entries.
DROP INDEX household_members_household;
