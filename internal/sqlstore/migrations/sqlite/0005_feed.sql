-- The change feed: every write transaction appends what it changed, in
-- commit order (SQLite has one writer; AUTOINCREMENT never reuses a
-- sequence). kind is the kind of record as `outbreak import` names it, or
-- policy or rebuild; id the record's ID ("" for records a bulk import
-- appended; for visits the day of their partition, with lo and hi the first
-- and last visit ID); person the resident the record is about.
CREATE TABLE changes (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	kind   TEXT NOT NULL,
	id     TEXT NOT NULL,
	person TEXT,
	lo     INTEGER,
	hi     INTEGER,
	at     INTEGER NOT NULL
);

-- How far each reader of a log (the change feed, the code-change log) has
-- applied it, and as of which instant.
CREATE TABLE positions (
	consumer TEXT PRIMARY KEY,
	seq      INTEGER NOT NULL,
	at       INTEGER NOT NULL
);

-- A lease lets one process at a time do a job (keeping the codes): the
-- holder renews it before it expires, and another takes it after.
CREATE TABLE leases (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	expires INTEGER NOT NULL
);

-- Health-code policies as they were set; the newest runs.
CREATE TABLE policies (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	hash   TEXT NOT NULL,
	source TEXT NOT NULL,
	at     INTEGER NOT NULL
);

-- Every resident's code that is not plain green (a resident without a row
-- is green with no reasons): reasons as JSON, the policy's hash, the
-- instant it was computed for, and the feed position it reflects.
CREATE TABLE codes (
	person      TEXT PRIMARY KEY,
	color       TEXT NOT NULL,
	reasons     TEXT NOT NULL,
	valid_until INTEGER,
	policy      TEXT NOT NULL,
	as_of       INTEGER NOT NULL,
	seq         INTEGER NOT NULL
);

-- Every change of a resident's color, in the order the keeper made them.
CREATE TABLE code_changes (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	person     TEXT NOT NULL,
	from_color TEXT NOT NULL,
	to_color   TEXT NOT NULL,
	reasons    TEXT NOT NULL,
	at         INTEGER NOT NULL
);
CREATE INDEX code_changes_person ON code_changes (person, seq);

-- Other state the keeper derives, stored whole (the clusters of cases).
CREATE TABLE derived (
	name TEXT PRIMARY KEY,
	body TEXT NOT NULL,
	at   INTEGER NOT NULL
);
