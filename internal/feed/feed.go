// Package feed describes the store's change feed: every write transaction
// of the store appends what it changed, in the same transaction, under a
// sequence that grows in commit order. Whoever derives state from the
// records (the keeper of health codes, and later notification and
// analytics) reads the feed from a position it stores, so that a change
// made by another process, another replica or before a restart reaches it
// the same way.
package feed

import (
	"context"
	"time"
)

// Change is one row of the feed: a record of one kind that a transaction
// wrote.
type Change struct {
	// Seq is the change's position in the feed; later commits have
	// greater ones.
	Seq int64 `json:"seq"`
	// Kind is the kind of record, as `outbreak import` names it
	// ("visits", "cases", …), or Policy.
	Kind string `json:"kind"`
	// ID is the record's ID. It is empty for records that a bulk import
	// appended (stays, labs, vaccinations, declarations, region levels),
	// whose Person (or, for region levels, nothing) says what changed; for
	// visits it is the UTC day of the visits' partition, YYYYMMDD, and Lo
	// and Hi bound their IDs; for a policy it is the policy's hash.
	ID string `json:"id"`
	// Person is the resident the record is about, when it has one.
	Person string `json:"person,omitempty"`
	// Lo and Hi are the first and last visit ID of a range of visits of one
	// day (kind "visits"): every visit written or checked out has its ID in
	// the range of a change, and a range may hold a few IDs of visits that
	// other transactions wrote.
	Lo int64 `json:"lo,omitempty"`
	Hi int64 `json:"hi,omitempty"`
	// At is when the transaction committed, by the writer's clock.
	At time.Time `json:"at"`
}

// Policy is the kind of a change of the running health-code policy.
const Policy = "policy"

// Rebuild is the kind of a request to compute every health code afresh.
const Rebuild = "rebuild"

// Plans is the kind of a change of a delivery plan (made, or dispatched),
// which is not a record of its own kind (see kinds) but derived from them.
const Plans = "plans"

// Reader reads the feed.
type Reader interface {
	// ChangesSince returns at most limit changes after seq, in order.
	ChangesSince(ctx context.Context, seq int64, limit int) ([]Change, error)
	// Head returns the sequence of the last change committed, 0 for none.
	Head(ctx context.Context) (int64, error)
	// Changed returns a channel that is closed when this process next
	// commits a change. Changes that other processes commit are not
	// announced; readers also look at the feed now and then.
	Changed() <-chan struct{}
}
