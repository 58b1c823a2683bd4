-- A chunk's review proposals are decided under the identity lock but written as review tasks with its attachments,
-- under the attachments lock (ReviewTasks.WriteAsync): no later chunk's decisions read review tasks, and every other
-- writer of them — a chunk's merges, a steward — takes the attachments lock too. The identity phase keeps them here,
-- so that a chunk whose attachments did not commit (a crash, a deadlock) writes them on its redelivery; its
-- attachments delete them as they write the tasks.
CREATE TABLE chunk_review_proposals (
    extract_id uuid NOT NULL,
    chunk_index integer NOT NULL,
    ord integer NOT NULL,
    id uuid NOT NULL,
    row_number integer NOT NULL,
    candidate_person_id uuid NOT NULL,
    score double precision NOT NULL,
    evidence text NOT NULL,
    reason text NOT NULL,
    model_version text NOT NULL,
    link_threshold double precision NOT NULL,
    review_threshold double precision NOT NULL,
    PRIMARY KEY (extract_id, chunk_index, ord)
);
