-- A review task asks whether two persons are one when names (and where they live) are all the records share. When the
-- two persons' own records carry birth dates and none of one's comes near any of the other's, the registry has already
-- answered: the task is not opened, or is settled by the machine when the dated record arrives (issue 27, ReviewTasks).
ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_settlement_check;
ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_settlement_check
    CHECK (settlement IN ('merged', 'different-valid-curps', 'steward-different-persons', 'same-pair', 'different-birth-dates'));
