-- Records of one city. Residents and places have an integer key that
-- high-volume tables (visits) refer to, and a stable string id for the world.
CREATE TABLE regions (
	id     text PRIMARY KEY,
	name   text NOT NULL,
	parent text,
	kind   text NOT NULL
);
CREATE INDEX regions_parent ON regions (parent, id);

CREATE TABLE region_levels (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	region  text NOT NULL REFERENCES regions (id),
	level   text NOT NULL,
	from_at timestamptz NOT NULL,
	to_at   timestamptz
);
CREATE INDEX region_levels_region ON region_levels (region, from_at);

CREATE TABLE places (
	key           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id            text NOT NULL UNIQUE,
	name          text NOT NULL,
	region        text NOT NULL REFERENCES regions (id),
	category      text NOT NULL,
	lat           double precision NOT NULL,
	lon           double precision NOT NULL,
	default_dwell bigint NOT NULL
);
CREATE INDEX places_region ON places (region, id);

-- name, phone and email are sealed (AES-GCM) by the store.
CREATE TABLE residents (
	key         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id          text NOT NULL UNIQUE,
	name        bytea NOT NULL,
	phone       bytea NOT NULL,
	email       bytea NOT NULL,
	language    text NOT NULL,
	time_zone   text NOT NULL,
	home_region text NOT NULL
);
CREATE INDEX residents_home ON residents (home_region, id);

-- Visits are partitioned by UTC day of check-in (visits_YYYYMMDD); a bulk
-- import fills a new day's table with COPY, indexes it whole and attaches it.
-- IDs come from visit_blocks in blocks of 1024 so that a COPY can number its
-- rows without a round trip per row. Ids grow, so the id index appends.
CREATE SEQUENCE visit_blocks;
CREATE TABLE visits (
	id        bigint NOT NULL,
	person    bigint NOT NULL,
	place     bigint NOT NULL,
	check_in  timestamptz NOT NULL,
	check_out timestamptz
) PARTITION BY RANGE (check_in);
CREATE INDEX visits_place ON visits (place, check_in);
CREATE INDEX visits_person ON visits (person, check_in);
CREATE INDEX visits_id ON visits (id);

CREATE TABLE stays (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person  text NOT NULL,
	region  text NOT NULL REFERENCES regions (id),
	from_at timestamptz NOT NULL,
	to_at   timestamptz
);
CREATE INDEX stays_person ON stays (person, from_at);
CREATE INDEX stays_from ON stays (from_at);

CREATE TABLE lab_results (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person      text NOT NULL,
	specimen_at timestamptz NOT NULL,
	result      text NOT NULL,
	test_type   text NOT NULL
);
CREATE INDEX lab_results_person ON lab_results (person, specimen_at);
CREATE INDEX lab_results_at ON lab_results (specimen_at);

CREATE TABLE vaccinations (
	id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person   text NOT NULL,
	given_at timestamptz NOT NULL,
	product  text NOT NULL,
	dose     integer NOT NULL
);
CREATE INDEX vaccinations_person ON vaccinations (person, given_at);
CREATE INDEX vaccinations_at ON vaccinations (given_at);

CREATE TABLE declarations (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person      text NOT NULL,
	declared_at timestamptz NOT NULL,
	symptoms    text NOT NULL
);
CREATE INDEX declarations_person ON declarations (person, declared_at);
CREATE INDEX declarations_at ON declarations (declared_at);

CREATE TABLE cases (
	id       text PRIMARY KEY,
	person   text NOT NULL,
	onset    timestamptz NOT NULL,
	isolated timestamptz,
	released timestamptz
);
CREATE INDEX cases_person ON cases (person);
