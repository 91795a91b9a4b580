package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func benchCmd(ctx context.Context, e env, args []string) error {
	fs := flags(e, "bench", "checkins | codes | cases | ready")
	url := fs.String("url", "http://127.0.0.1:8080", "base URL of a running server")
	rate := fs.Int("rate", 2000, "requests (cases: check-ins) per second, sent on schedule whatever the answers")
	duration := fs.Duration("duration", 30*time.Second, "how long to send")
	maxInFlight := fs.Int("max-in-flight", 2000, "requests in flight at most; past it the run fails")
	every := fs.Duration("every", time.Second, "cases: how often a new case is stored")
	path := fs.String("path", "/api/v1/codes/status", "ready: the path to ask until it answers 200")
	sample := fs.Int("sample", 1000, "how many residents and how many places (the first of each, in ID order) the requests draw from")
	pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !slices.Contains([]string{"checkins", "codes", "cases", "ready"}, pos[0]) {
		fs.Usage()
		return usageError{"bench needs a benchmark: checkins, codes, cases or ready"}
	}
	if pos[0] == "ready" {
		return benchReady(ctx, e, *url+*path, *duration)
	}
	if *rate < 1 || *rate > 100000 || *duration <= 0 || *duration > time.Hour {
		return usageError{"--rate must be in [1, 100000] and --duration in (0, 1h]"}
	}
	n := int(duration.Seconds() * float64(*rate))
	if n < 1 {
		return usageError{"--rate × --duration must make at least one request"}
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *maxInFlight, MaxConnsPerHost: *maxInFlight}}
	people, err := ids(ctx, client, *url+"/api/v1/people", *sample)
	if err != nil {
		return err
	}
	places, err := ids(ctx, client, *url+"/api/v1/places", *sample)
	if err != nil {
		return err
	}
	if len(people) == 0 || len(places) == 0 {
		return fmt.Errorf("bench: the server at %s has no residents or places; run the demo first", *url)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var send func(due time.Time) func() error
	if pos[0] == "checkins" || pos[0] == "cases" {
		send = func(due time.Time) func() error {
			body, _ := json.Marshal(map[string]string{
				"person": people[rng.IntN(len(people))], "place": places[rng.IntN(len(places))],
				"check_in": due.UTC().Format(time.RFC3339Nano),
			})
			return func() error { return request(client, "POST", *url+"/api/v1/visits", body, http.StatusCreated) }
		}
	} else {
		if err := codesReady(ctx, client, *url+"/api/v1/people/"+people[0]+"/code"); err != nil {
			return err
		}
		send = func(time.Time) func() error {
			target := *url + "/api/v1/people/" + people[rng.IntN(len(people))] + "/code"
			return func() error { return request(client, "GET", target, nil, http.StatusOK) }
		}
	}
	if pos[0] == "cases" {
		return benchCases(ctx, e, client, *url, people, *every, *duration, func() error {
			return openLoop(ctx, e, "check-ins", n, *rate, *maxInFlight, send)
		})
	}
	return openLoop(ctx, e, pos[0], n, *rate, *maxInFlight, send)
}

// openLoop sends n requests at a fixed rate (an open loop) and reports
// latency percentiles measured from when each request was due, so that a
// stalled server shows in the figures instead of slowing the sender. send
// makes the request due at an instant, on the sender's goroutine, and
// returns what sends it.
func openLoop(ctx context.Context, e env, name string, n, rate, maxInFlight int, send func(due time.Time) func() error) error {
	interval := time.Second / time.Duration(rate)
	latencies := make([]time.Duration, n)
	var failed, inFlight atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if inFlight.Load() >= int64(maxInFlight) {
			return fmt.Errorf("bench: %d requests in flight; the server cannot keep up with %d/s", maxInFlight, rate)
		}
		do := send(due)
		inFlight.Add(1)
		wg.Go(func() {
			defer inFlight.Add(-1)
			err := do()
			latencies[i] = time.Since(due)
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "%s: %d sent in %.1fs (%.0f/s), %d failed\n", name, n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), failed.Load())
	fmt.Fprintln(e.stdout, "latency from due time: "+percentiles(latencies))
	if err, _ := firstErr.Load().(error); err != nil {
		return fmt.Errorf("bench: %d requests failed, the first with: %w", failed.Load(), err)
	}
	return nil
}

// percentiles describes latencies: p50, p90, p99, p99.9 and the most.
func percentiles(latencies []time.Duration) string {
	n := len(latencies)
	if n == 0 {
		return "none"
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		return latencies[min(n-1, int(p*float64(n)))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %v  p90 %v  p99 %v  p99.9 %v  max %v", pct(0.50), pct(0.90), pct(0.99), pct(0.999), latencies[n-1].Round(10*time.Microsecond))
}

// request sends one request and checks its status.
func request(client *http.Client, method, url string, body []byte, want int) error {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %s", method, url, resp.Status)
	}
	return nil
}

// codesReady waits up to ten minutes for the server to have computed the
// codes.
func codesReady(ctx context.Context, client *http.Client, url string) error {
	for range 600 {
		if err := request(client, "GET", url, nil, http.StatusOK); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return fmt.Errorf("bench: %s did not answer 200 within ten minutes", url)
}

// ids reads the IDs of the first n records of a list.
func ids(ctx context.Context, client *http.Client, url string, n int) ([]string, error) {
	var out []string
	for after := ""; len(out) < n; {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Next string `json:"next"`
		}
		u := fmt.Sprintf("%s?limit=%d", url, min(n-len(out), 10000))
		if after != "" {
			u += "&after=" + after
		}
		if err := getJSON(ctx, client, u, &page); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		for _, it := range page.Items {
			out = append(out, it.ID)
		}
		if after = page.Next; after == "" {
			break
		}
	}
	return out, nil
}
