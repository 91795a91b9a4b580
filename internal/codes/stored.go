package codes

import (
	"context"
	"time"

	"outbreak/internal/risk"
)

// Stored is a resident's code as the store keeps it: the code, the policy
// that made it (its hash), the instant it was computed for and the feed
// position it reflects. A resident without a stored code is green with no
// reasons.
type Stored struct {
	risk.Code
	Policy string    `json:"policy"`
	AsOf   time.Time `json:"as_of"`
	Seq    int64     `json:"seq"`
}

// Change is one change of a resident's color, in the code-change log that
// notification and analytics read in order.
type Change struct {
	Seq     int64         `json:"seq"`
	Person  string        `json:"person"`
	From    string        `json:"from"`
	To      string        `json:"to"`
	Reasons []risk.Reason `json:"reasons"`
	At      time.Time     `json:"at"`
}

// Position is how far a consumer has applied a log, and as of which
// instant.
type Position struct {
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
}

// Lease names a lease and its holder, and how long a renewal holds it.
type Lease struct {
	Name, Holder string
	TTL          time.Duration
}

// Write is what one step of the keeper stores, in one transaction: the
// codes that changed, the residents who are green again with no reasons
// (their codes are deleted), the color changes, other derived state, and
// the keeper's new position (a zero Position leaves it where it is). It is refused (Conflict) unless Lease is still held, so that a
// keeper that lost its lease writes nothing.
type Write struct {
	Lease    Lease
	Consumer string
	Position Position
	Put      []Stored
	Delete   []string
	Changes  []Change
	// Derived holds other derived state to store whole, by name.
	Derived map[string][]byte
}

// CodeStore keeps what the keeper derives.
type CodeStore interface {
	// StoredCode returns a resident's stored code (NotFound: none, so
	// green with no reasons).
	StoredCode(ctx context.Context, person string) (Stored, error)
	// EachStoredCode calls fn with every stored code.
	EachStoredCode(ctx context.Context, fn func(Stored) error) error
	// SaveCodes stores a step of the keeper (Conflict: the lease is lost).
	SaveCodes(ctx context.Context, w Write) error
	// Position returns how far a consumer has applied its log (zero if
	// it never has).
	Position(ctx context.Context, consumer string) (Position, error)
	// CodeChangesSince returns at most limit code changes after seq, in
	// order.
	CodeChangesSince(ctx context.Context, seq int64, limit int) ([]Change, error)
	// TakeLease takes or renews a lease for its holder; it reports
	// whether the holder has it until TTL from now.
	TakeLease(ctx context.Context, l Lease) (bool, error)
	// DropLease gives a lease up, if its holder has it.
	DropLease(ctx context.Context, l Lease) error
	// LeaseHolder returns who holds a lease now ("" for nobody).
	LeaseHolder(ctx context.Context, name string) (string, error)
	// Derived returns a piece of derived state stored whole, and when it
	// was made (NotFound: not yet).
	Derived(ctx context.Context, name string) ([]byte, time.Time, error)
	// Policy returns the running policy's source as set, and its hash
	// (NotFound: none set, so the built-in one runs). SavePolicy stores a
	// new one and appends a policy change to the feed.
	Policy(ctx context.Context) (src []byte, hash string, err error)
	SavePolicy(ctx context.Context, src []byte, hash string) error
	// RequestRebuild appends a request to compute every code afresh to
	// the feed.
	RequestRebuild(ctx context.Context) error
}
