-- The longest checked-out visit of each day of check-in, in microseconds, so
-- that tracing knows how far back a visit can reach into an interval. A day
-- made before this table has no row; tracing then assumes the longest visit
-- allowed.
CREATE TABLE visit_spans (
	day     TEXT PRIMARY KEY,
	max_len INTEGER NOT NULL
);
