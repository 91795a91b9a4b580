-- Supply: depots, the vehicles based at them, stock in lots, requests for
-- deliveries, and the day plans that serve them. Durations (shifts, service
-- times) are nanoseconds; instants are microseconds since the Unix epoch.
CREATE TABLE depots (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	lat       REAL NOT NULL,
	lon       REAL NOT NULL,
	time_zone TEXT NOT NULL
);

CREATE TABLE vehicles (
	id          TEXT PRIMARY KEY,
	depot       TEXT NOT NULL REFERENCES depots (id),
	ambient     INTEGER NOT NULL,
	chilled     INTEGER NOT NULL,
	frozen      INTEGER NOT NULL,
	shift_start INTEGER NOT NULL,
	shift_end   INTEGER NOT NULL,
	max_out     INTEGER NOT NULL
);
CREATE INDEX vehicles_depot ON vehicles (depot, id);

-- A dispatched plan takes its picks from quantity, never below zero.
CREATE TABLE lots (
	id          TEXT PRIMARY KEY,
	depot       TEXT NOT NULL REFERENCES depots (id),
	item        TEXT NOT NULL,
	lot         TEXT NOT NULL,
	expiry      INTEGER,
	temperature TEXT NOT NULL,
	quantity    INTEGER NOT NULL CHECK (quantity >= 0)
);
CREATE INDEX lots_depot ON lots (depot, id);
CREATE INDEX lots_item ON lots (item, id);

-- person is the resident of a quarantined household, NULL for other sites.
-- plan names the plan that dispatched the request, NULL for none; it is not
-- a foreign key because plans are not imported with requests.
CREATE TABLE supply_requests (
	id        TEXT PRIMARY KEY,
	site      TEXT NOT NULL,
	kind      TEXT NOT NULL,
	person    TEXT REFERENCES residents (id),
	lat       REAL NOT NULL,
	lon       REAL NOT NULL,
	item      TEXT NOT NULL,
	quantity  INTEGER NOT NULL,
	priority  INTEGER NOT NULL,
	slot_from INTEGER,
	slot_to   INTEGER,
	service   INTEGER NOT NULL,
	created   INTEGER,
	status    TEXT NOT NULL,
	plan      TEXT
);
CREATE INDEX supply_requests_status ON supply_requests (status, id);
CREATE INDEX supply_requests_item ON supply_requests (item, id);

-- body is the whole plan as JSON; summary is the plan as lists show it,
-- without allocations and routes' stops. status and dispatched are the
-- plan's own, kept in step with body for filters and dispatch.
CREATE TABLE plans (
	id         TEXT PRIMARY KEY,
	date       TEXT NOT NULL,
	created    INTEGER NOT NULL,
	status     TEXT NOT NULL,
	dispatched INTEGER,
	summary    TEXT NOT NULL,
	body       TEXT NOT NULL
);
CREATE INDEX plans_status ON plans (status, id);
