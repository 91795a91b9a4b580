-- Appeals against health codes; an approved one lets its color stand from
-- decided until expires.
CREATE TABLE appeals (
	id      TEXT PRIMARY KEY,
	person  TEXT NOT NULL,
	status  TEXT NOT NULL,
	color   TEXT NOT NULL,
	decided INTEGER,
	expires INTEGER,
	reason  TEXT NOT NULL
);
CREATE INDEX appeals_person ON appeals (person);
