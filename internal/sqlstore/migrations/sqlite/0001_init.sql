-- Records of one city. Instants are microseconds since the Unix epoch (UTC),
-- durations are nanoseconds. Residents and places have an integer key that
-- high-volume tables (visits) refer to, and a stable string id for the world.
CREATE TABLE regions (
	id     TEXT PRIMARY KEY,
	name   TEXT NOT NULL,
	parent TEXT,
	kind   TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent, id);

CREATE TABLE region_levels (
	id      INTEGER PRIMARY KEY,
	region  TEXT NOT NULL REFERENCES regions (id),
	level   TEXT NOT NULL,
	from_at INTEGER NOT NULL,
	to_at   INTEGER
);
CREATE INDEX region_levels_region ON region_levels (region, from_at);

CREATE TABLE places (
	key           INTEGER PRIMARY KEY,
	id            TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	region        TEXT NOT NULL REFERENCES regions (id),
	category      TEXT NOT NULL,
	lat           REAL NOT NULL,
	lon           REAL NOT NULL,
	default_dwell INTEGER NOT NULL
);
CREATE INDEX places_region ON places (region, id);

-- name, phone and email are sealed (AES-GCM) by the store.
CREATE TABLE residents (
	key         INTEGER PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	name        BLOB NOT NULL,
	phone       BLOB NOT NULL,
	email       BLOB NOT NULL,
	language    TEXT NOT NULL,
	time_zone   TEXT NOT NULL,
	home_region TEXT NOT NULL
);
CREATE INDEX residents_home ON residents (home_region, id);

-- Visits live in one table per UTC day of check-in, visits_YYYYMMDD, listed
-- here with the range of IDs each holds; a bulk import fills a new day's
-- table and indexes it whole.
CREATE TABLE visit_days (
	day    TEXT PRIMARY KEY,
	min_id INTEGER,
	max_id INTEGER
);

CREATE TABLE sequences (
	name TEXT PRIMARY KEY,
	next INTEGER NOT NULL
);
INSERT INTO sequences (name, next) VALUES ('visits', 1);

CREATE TABLE stays (
	id      INTEGER PRIMARY KEY,
	person  TEXT NOT NULL,
	region  TEXT NOT NULL REFERENCES regions (id),
	from_at INTEGER NOT NULL,
	to_at   INTEGER
);
CREATE INDEX stays_person ON stays (person, from_at);
CREATE INDEX stays_from ON stays (from_at);

CREATE TABLE lab_results (
	id          INTEGER PRIMARY KEY,
	person      TEXT NOT NULL,
	specimen_at INTEGER NOT NULL,
	result      TEXT NOT NULL,
	test_type   TEXT NOT NULL
);
CREATE INDEX lab_results_person ON lab_results (person, specimen_at);
CREATE INDEX lab_results_at ON lab_results (specimen_at);

CREATE TABLE vaccinations (
	id       INTEGER PRIMARY KEY,
	person   TEXT NOT NULL,
	given_at INTEGER NOT NULL,
	product  TEXT NOT NULL,
	dose     INTEGER NOT NULL
);
CREATE INDEX vaccinations_person ON vaccinations (person, given_at);
CREATE INDEX vaccinations_at ON vaccinations (given_at);

CREATE TABLE declarations (
	id          INTEGER PRIMARY KEY,
	person      TEXT NOT NULL,
	declared_at INTEGER NOT NULL,
	symptoms    TEXT NOT NULL
);
CREATE INDEX declarations_person ON declarations (person, declared_at);
CREATE INDEX declarations_at ON declarations (declared_at);

CREATE TABLE cases (
	id       TEXT PRIMARY KEY,
	person   TEXT NOT NULL,
	onset    INTEGER NOT NULL,
	isolated INTEGER,
	released INTEGER
);
CREATE INDEX cases_person ON cases (person);
