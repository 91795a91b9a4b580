package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// benchCases stores a new case every so often while checkIns runs (check-ins
// at a fixed rate), and measures how long from sending the case until the
// codes are stored that it changes: the case is posted, then the codes'
// sync, which returns once the keeper has applied every change committed
// before it, and has stored the new codes in the step that applied it.
func benchCases(ctx context.Context, e env, client *http.Client, url string, people []string, every, duration time.Duration,
	checkIns func() error) error {
	done := make(chan error, 1)
	go func() { done <- checkIns() }()
	var latencies []time.Duration
	var last string
	start := time.Now()
	for i := 0; time.Since(start)+every < duration; i++ {
		select {
		case <-time.After(time.Until(start.Add(time.Duration(i) * every))):
		case <-ctx.Done():
			return ctx.Err()
		}
		person := people[(i*37)%len(people)]
		sent := time.Now()
		body, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("bench-%d-%d", start.Unix(), i), "person": person,
			"onset": sent.Add(-24 * time.Hour).UTC().Format(time.RFC3339)})
		if err := request(client, "POST", url+"/api/v1/cases", body, http.StatusCreated); err != nil {
			return err
		}
		if err := request(client, "POST", url+"/api/v1/codes/sync", nil, http.StatusOK); err != nil {
			return err
		}
		latencies = append(latencies, time.Since(sent))
		last = person
	}
	if err := <-done; err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "cases: %d stored; from sending a case to its contacts' codes stored: %s\n", len(latencies), percentiles(latencies))
	return lastCaseContacts(ctx, e, client, url, last)
}

// lastCaseContacts prints how many close contacts the last case has and how
// many of them are red, as a check that the cases reached someone.
func lastCaseContacts(ctx context.Context, e env, client *http.Client, url, person string) error {
	var page struct {
		Items []struct {
			Person string `json:"person"`
		} `json:"items"`
	}
	if err := getJSON(ctx, client, url+"/api/v1/cases/"+person+"/exposures?degree=1&limit=10000", &page); err != nil {
		return err
	}
	red, seen := 0, map[string]bool{}
	for _, x := range page.Items {
		if seen[x.Person] {
			continue
		}
		seen[x.Person] = true
		var c struct {
			Color string `json:"color"`
		}
		if err := getJSON(ctx, client, url+"/api/v1/people/"+x.Person+"/code", &c); err != nil {
			return err
		}
		if c.Color == "red" {
			red++
		}
	}
	fmt.Fprintf(e.stdout, "the last case, %s: %d close contacts, %d of them red\n", person, len(seen), red)
	return nil
}

// benchReady asks for a URL every 5 ms until it answers 200, and says how
// long that took: started with a server, how long the server takes to
// answer it.
func benchReady(ctx context.Context, e env, url string, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	for time.Since(start) < limit {
		if err := request(client, "GET", url, nil, http.StatusOK); err == nil {
			fmt.Fprintf(e.stdout, "%s answered 200 after %v\n", url, time.Since(start).Round(time.Millisecond))
			return nil
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("bench: " + url + " did not answer 200 within " + limit.String())
}

// getJSON gets a URL and decodes its JSON answer.
func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
