-- The change feed: every write transaction appends what it changed. A
-- transaction takes an advisory lock before it appends and holds it until
-- it commits, so sequences are given in commit order. kind is the kind of
-- record as `outbreak import` names it, or policy or rebuild; id the
-- record's ID ("" for records a bulk import appended; for visits the day of
-- their partition, with lo and hi the first and last visit ID); person the
-- resident the record is about.
CREATE TABLE changes (
	seq    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind   text NOT NULL,
	id     text NOT NULL,
	person text,
	lo     bigint,
	hi     bigint,
	at     timestamptz NOT NULL
);

-- How far each reader of a log (the change feed, the code-change log) has
-- applied it, and as of which instant.
CREATE TABLE positions (
	consumer text PRIMARY KEY,
	seq      bigint NOT NULL,
	at       timestamptz NOT NULL
);

-- A lease lets one process at a time do a job (keeping the codes): the
-- holder renews it before it expires, and another takes it after.
CREATE TABLE leases (
	name    text PRIMARY KEY,
	holder  text NOT NULL,
	expires timestamptz NOT NULL
);

-- Health-code policies as they were set; the newest runs.
CREATE TABLE policies (
	id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hash   text NOT NULL,
	source text NOT NULL,
	at     timestamptz NOT NULL
);

-- Every resident's code that is not plain green (a resident without a row
-- is green with no reasons): reasons as JSON, the policy's hash, the
-- instant it was computed for, and the feed position it reflects.
CREATE TABLE codes (
	person      text PRIMARY KEY,
	color       text NOT NULL,
	reasons     text NOT NULL,
	valid_until timestamptz,
	policy      text NOT NULL,
	as_of       timestamptz NOT NULL,
	seq         bigint NOT NULL
);

-- Every change of a resident's color, in the order the keeper made them
-- (one keeper at a time writes them).
CREATE TABLE code_changes (
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person     text NOT NULL,
	from_color text NOT NULL,
	to_color   text NOT NULL,
	reasons    text NOT NULL,
	at         timestamptz NOT NULL
);
CREATE INDEX code_changes_person ON code_changes (person, seq);

-- Other state the keeper derives, stored whole (the clusters of cases).
CREATE TABLE derived (
	name text PRIMARY KEY,
	body text NOT NULL,
	at   timestamptz NOT NULL
);
