-- An extract whose chunk could not be resolved after every retry is 'failed' (the error says which
-- chunk and why; nothing of that chunk was applied, the other chunks were). Re-queuing the chunk from
-- the resolution error queue completes it, and the extract becomes 'resolved'.
ALTER TABLE extracts DROP CONSTRAINT extracts_status_check;
ALTER TABLE extracts ADD CONSTRAINT extracts_status_check
    CHECK (status IN ('received', 'parsing', 'queued', 'resolved', 'rejected', 'failed'));
