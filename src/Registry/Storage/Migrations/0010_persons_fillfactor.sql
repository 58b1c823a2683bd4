-- 0010: room on each page of persons for its golden record's refreshes.
-- Every chunk rewrites the golden record of the persons it linked records to. Without free space
-- on the page the new row version goes elsewhere and every index of persons (including the two
-- GIN name indexes) gets new entries; with it, an update that keeps the name is a HOT update that
-- touches no index. Applies to pages written from now on (no table rewrite).
ALTER TABLE persons SET (fillfactor = 70);
