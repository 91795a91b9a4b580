-- Appeals against health codes; an approved one lets its color stand from
-- decided until expires.
CREATE TABLE appeals (
	id      text PRIMARY KEY,
	person  text NOT NULL,
	status  text NOT NULL,
	color   text NOT NULL,
	decided timestamptz,
	expires timestamptz,
	reason  text NOT NULL
);
CREATE INDEX appeals_person ON appeals (person);
