-- Supply: depots, the vehicles based at them, stock in lots, requests for
-- deliveries, and the day plans that serve them. Durations (shifts, service
-- times) are nanoseconds; instants are timestamptz.
CREATE TABLE depots (
	id        text PRIMARY KEY,
	name      text NOT NULL,
	lat       double precision NOT NULL,
	lon       double precision NOT NULL,
	time_zone text NOT NULL
);

CREATE TABLE vehicles (
	id          text PRIMARY KEY,
	depot       text NOT NULL REFERENCES depots (id),
	ambient     integer NOT NULL,
	chilled     integer NOT NULL,
	frozen      integer NOT NULL,
	shift_start bigint NOT NULL,
	shift_end   bigint NOT NULL,
	max_out     bigint NOT NULL
);
CREATE INDEX vehicles_depot ON vehicles (depot, id);

-- A dispatched plan takes its picks from quantity, never below zero.
CREATE TABLE lots (
	id          text PRIMARY KEY,
	depot       text NOT NULL REFERENCES depots (id),
	item        text NOT NULL,
	lot         text NOT NULL,
	expiry      timestamptz,
	temperature text NOT NULL,
	quantity    integer NOT NULL CHECK (quantity >= 0)
);
CREATE INDEX lots_depot ON lots (depot, id);
CREATE INDEX lots_item ON lots (item, id);

-- person is the resident of a quarantined household, NULL for other sites.
-- plan names the plan that dispatched the request, NULL for none; it is not
-- a foreign key because plans are not imported with requests.
CREATE TABLE supply_requests (
	id        text PRIMARY KEY,
	site      text NOT NULL,
	kind      text NOT NULL,
	person    text REFERENCES residents (id),
	lat       double precision NOT NULL,
	lon       double precision NOT NULL,
	item      text NOT NULL,
	quantity  integer NOT NULL,
	priority  integer NOT NULL,
	slot_from timestamptz,
	slot_to   timestamptz,
	service   bigint NOT NULL,
	created   timestamptz,
	status    text NOT NULL,
	plan      text
);
CREATE INDEX supply_requests_status ON supply_requests (status, id);
CREATE INDEX supply_requests_item ON supply_requests (item, id);

-- body is the whole plan as JSON; summary is the plan as lists show it,
-- without allocations and routes' stops. status and dispatched are the
-- plan's own, kept in step with body for filters and dispatch.
CREATE TABLE plans (
	id         text PRIMARY KEY,
	date       text NOT NULL,
	created    timestamptz NOT NULL,
	status     text NOT NULL,
	dispatched timestamptz,
	summary    text NOT NULL,
	body       text NOT NULL
);
CREATE INDEX plans_status ON plans (status, id);
