-- A GIN index collects new entries in a pending list and merges them into its tree once the list
-- passes gin_pending_list_limit (4 MB by default). Every search scans the whole list meanwhile: at
-- 1M persons a crowded 3-word territory search took 9 ms with ~170 pending pages and 1.3 ms after a
-- flush, and the lookup benchmark saturated. At 512 kB the list stays under 64 pages; inserting 40,000
-- territory rows cost the same (1,060 vs 1,078 ms; with fastupdate off, 1,270 ms).
ALTER INDEX person_territories_name_words SET (gin_pending_list_limit = 512);
SELECT gin_clean_pending_list('person_territories_name_words');
