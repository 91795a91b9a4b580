package codes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"outbreak/internal/errs"
)

// Keeper keeps every resident's code stored and current. One keeper at a
// time per database does the work: it holds a lease in the store, renews
// it while it runs, and another process's keeper takes over when it dies.
// The keeper that holds the lease computes every code when it starts and
// stores what differs from the stored codes, then follows the change feed
// and the passage of time, storing each step's codes, color changes and
// feed position in one transaction.
type Keeper struct {
	store   Store
	log     *slog.Logger
	now     func() time.Time
	workers int
	lease   Lease
	poll    time.Duration
	gap     time.Duration
	pol     *policies
	syncs   chan chan error

	mu      sync.Mutex
	holding bool
	pos     Position
	moved   chan struct{} // closed when pos advances or the lease changes hands

	// Owned by the goroutine of Run.
	st  *state
	idx Index
}

// Consumer is the keeper's name among the readers of the feed.
const Consumer = "codes"

// LeaseName is the name of the keeper's lease.
const LeaseName = "codes"

// Config wires a Keeper.
type Config struct {
	Store  Store
	Logger *slog.Logger
	// Now is the clock of the codes ("now" as the rules read it); nil
	// means time.Now. The lease runs on the store's clock.
	Now func() time.Time
	// Workers trace in parallel; 0 means 1.
	Workers int
	// Holder names this process in the lease; empty makes a name of the
	// host, the process ID and a random part.
	Holder string
	// LeaseTTL is how long a lease holds without renewal, and so how soon
	// another process takes over from a keeper that died; 0 means 6s.
	LeaseTTL time.Duration
	// Poll is how often the keeper looks at the feed for changes that
	// other processes committed (its own process's commits wake it at
	// once); 0 means 250ms.
	Poll time.Duration
	// Gap is the least time from one step that follows changes to the
	// next: what is committed meanwhile is applied together, so that the
	// keeper does not commit as often as the API does and traces a case
	// that many check-ins touch once. Sync does not wait for it. 0 means
	// 200ms.
	Gap time.Duration
}

// NewKeeper returns a keeper; Run keeps the codes while it holds the lease.
func NewKeeper(cfg Config) *Keeper {
	k := &Keeper{store: cfg.Store, log: cfg.Logger, now: cfg.Now, workers: max(1, cfg.Workers), poll: cfg.Poll, gap: cfg.Gap,
		lease: Lease{Name: LeaseName, Holder: cfg.Holder, TTL: cfg.LeaseTTL}, syncs: make(chan chan error),
		moved: make(chan struct{})}
	if k.log == nil {
		k.log = slog.New(slog.DiscardHandler)
	}
	if k.now == nil {
		k.now = time.Now
	}
	if k.poll <= 0 {
		k.poll = 250 * time.Millisecond
	}
	if k.gap <= 0 {
		k.gap = 200 * time.Millisecond
	}
	if k.lease.TTL <= 0 {
		k.lease.TTL = 6 * time.Second
	}
	if k.lease.Holder == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		k.lease.Holder = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	k.pol = newPolicies(cfg.Store)
	return k
}

// Holder returns the name this keeper holds the lease under.
func (k *Keeper) Holder() string { return k.lease.Holder }

// errLeaseLost ends a keeper's turn when another process took the lease.
var errLeaseLost = errs.E(errs.Conflict, "the keeper's lease was taken by another process")

// Run keeps the codes until ctx ends: it waits for the lease, and while it
// holds it computes every code and then follows the feed and the clock.
// It returns nil when ctx ends.
func (k *Keeper) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		held, err := k.store.TakeLease(ctx, k.lease)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				k.log.ErrorContext(ctx, "codes: taking the lease", "err", err)
			}
		case held:
			err := k.turn(ctx)
			k.setHolding(false)
			k.st, k.idx = nil, nil
			if ctx.Err() != nil {
				// Stopping: another process may take over at once.
				_ = k.store.DropLease(context.WithoutCancel(ctx), k.lease)
				return nil
			}
			if err == nil {
				continue
			}
			// Another process took the lease, or a step failed (the store
			// is down, say): try again after a pause rather than at once.
			k.log.ErrorContext(ctx, "codes: the keeper stopped; it will start again", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(k.lease.TTL / 3):
		}
	}
	return nil
}

// turn is one spell of holding the lease: it computes every code, then
// follows changes until ctx ends, the lease is lost or a step fails. A
// goroutine renews the lease meanwhile, so that a long computation keeps
// it.
func (k *Keeper) turn(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(k.lease.TTL / 3):
			}
			held, err := k.store.TakeLease(ctx, k.lease)
			if err == nil && !held {
				cancel(errLeaseLost)
				return
			}
		}
	}()
	defer func() { cancel(nil); <-renewed }()
	k.log.InfoContext(ctx, "codes: this process keeps the codes", "holder", k.lease.Holder)
	if err := k.build(ctx); err != nil {
		return errors.Join(err, context.Cause(ctx))
	}
	k.setHolding(true)
	for {
		changed := k.store.Changed()
		if err := k.step(ctx); err != nil {
			return errors.Join(err, context.Cause(ctx))
		}
		if err := k.wait(ctx, changed, time.Now().Add(k.gap)); err != nil {
			return err
		}
	}
}

// wait returns when the next step is due: when changes were announced on
// changed and the gap until next has passed, when the poll interval has
// passed or an item is due, or after a step that Sync asked for. It
// returns nil when ctx ends, or errLeaseLost.
func (k *Keeper) wait(ctx context.Context, changed <-chan struct{}, next time.Time) error {
	timer := time.NewTimer(min(k.untilDue(), k.poll))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(context.Cause(ctx), errLeaseLost) {
				return errLeaseLost
			}
			return nil
		case <-changed:
			changed = nil
			timer.Reset(max(0, time.Until(next)))
		case <-timer.C:
			return nil
		case reply := <-k.syncs:
			err := k.step(ctx)
			reply <- err
			return err
		}
	}
}

func (k *Keeper) setHolding(h bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.holding != h {
		k.holding = h
		close(k.moved)
		k.moved = make(chan struct{})
	}
}

// advance records the position a step stored.
func (k *Keeper) advance(p Position) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pos = p
	close(k.moved)
	k.moved = make(chan struct{})
}

// Sync returns once every change committed before the call is applied and
// stored, and, when this process keeps the codes, every code that time has
// made due by now is computed again. When another process keeps them, it
// waits for the stored position to pass the changes.
func (k *Keeper) Sync(ctx context.Context) error {
	head, err := k.store.Head(ctx)
	if err != nil {
		return err
	}
	for {
		k.mu.Lock()
		holding, moved := k.holding, k.moved
		k.mu.Unlock()
		if holding {
			reply := make(chan error, 1)
			select {
			case k.syncs <- reply:
				if err := <-reply; err != nil {
					return err
				}
				k.mu.Lock()
				done := k.pos.Seq >= head
				k.mu.Unlock()
				if done {
					return nil
				}
				continue
			case <-moved:
				continue
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		p, err := k.store.Position(ctx, Consumer)
		if err != nil {
			return err
		}
		if p.Seq >= head {
			return nil
		}
		select {
		case <-moved:
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}
