-- The longest checked-out visit of each day of check-in, in microseconds, so
-- that tracing knows how far back a visit can reach into an interval.
CREATE TABLE visit_spans (
	day     text PRIMARY KEY,
	max_len bigint NOT NULL
);
INSERT INTO visit_spans (day, max_len)
SELECT to_char(check_in AT TIME ZONE 'UTC', 'YYYYMMDD'),
	coalesce(max((extract(epoch FROM check_out - check_in) * 1000000)::bigint), 0)
FROM visits GROUP BY 1;
