package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"outbreak/internal/sqlstore/pgtest"
)

// outbreak runs the command in-process with an environment of its own and
// returns what it printed.
func outbreak(t *testing.T, environ map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return environ[k] }
	err := run(context.Background(), args, getenv, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallCity writes import files of a tiny city into dir and imports them
// into the store of data, with environ.
func smallCity(t *testing.T, dir, data string, environ map[string]string) {
	t.Helper()
	files := map[string]string{
		"regions": write(t, dir, "regions.csv", "id,name,parent,kind\ncn,China,,country\ncn.p1,Province,cn,province\n"),
		"places":  write(t, dir, "places.csv", "id,name,region,category,lat,lon,default_dwell\nv1,Noodle bar,cn.p1,restaurant,23.1,113.2,1h\nv2,Market,cn.p1,supermarket,23.2,113.3,\n"),
		"residents": write(t, dir, "residents.csv", "id,name,phone,email,language,time_zone,home_region\n"+
			"r1,Li Lei,+8613800000001,li@example.org,zh,Asia/Shanghai,cn.p1\nr2,Han Meimei,,,en,Asia/Shanghai,cn.p1\n"),
	}
	for _, kind := range []string{"regions", "places", "residents"} {
		// The first import makes the store.
		if _, _, err := outbreak(t, environ, "import", "--create", "--data", data, kind, files[kind]); err != nil {
			t.Fatalf("import %s: %v", kind, err)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	out, _, err := outbreak(t, nil, "help")
	if err != nil || !strings.Contains(out, "import") {
		t.Fatalf("help: %q, %v", out, err)
	}
	if _, _, err := outbreak(t, nil, "frobnicate"); exitCode(err) != 2 {
		t.Fatalf("unknown command: %v, exit code %d", err, exitCode(err))
	}
	if _, _, err := outbreak(t, nil, "import", "--data", t.TempDir(), "visits"); exitCode(err) != 2 {
		t.Fatalf("import without a file: %v", err)
	}
	// A data directory without a store is refused, naming it, and left as
	// it was: a mistyped path is not a new, empty city.
	missing := filepath.Join(t.TempDir(), "typo")
	for _, args := range [][]string{{"serve"}, {"export", "visits"}, {"codes"}, {"trace"}, {"supply", "plan"}} {
		_, _, err := outbreak(t, nil, append(args, "--data", missing)...)
		if err == nil || !strings.Contains(err.Error(), missing+" holds no Outbreak store") {
			t.Errorf("%s on a directory without a store: %v", args[0], err)
		}
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a refused command made %s", missing)
	}
}

func TestImportExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	smallCity(t, dir, data, nil)
	good := "person,place,check_in,check_out\nr1,v1,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z\nr2,v1,2026-11-01T08:30:00Z,\n"
	// The data directory comes from the environment here.
	env := map[string]string{"OUTBREAK_DATA": data}
	out, _, err := outbreak(t, env, "import", "visits", write(t, dir, "visits.csv", good))
	if err != nil || !strings.Contains(out, "imported 2 visits") {
		t.Fatalf("import visits: %q, %v", out, err)
	}
	// A bad line names the file, line and field, and applies nothing.
	bad := good + "r1,v2,2026-11-02T08:00:00Z,2026-11-02T07:00:00Z\nr2,v2,2026-11-02T08:00:00Z,\n"
	badFile := write(t, dir, "bad.csv", bad)
	_, _, err = outbreak(t, env, "import", "visits", badFile)
	if err == nil || err.Error() != badFile+":4: check_out: before check_in" {
		t.Fatalf("bad line: %v", err)
	}
	unknown := write(t, dir, "unknown.csv", "person,place,check_in,check_out\nr1,v1,2026-11-03T08:00:00Z,\nr9,v1,2026-11-03T08:00:00Z,\n")
	if _, _, err = outbreak(t, env, "import", "visits", unknown); err == nil || !strings.HasSuffix(err.Error(), ":3: person: unknown person \"r9\"") {
		t.Fatalf("unknown person: %v", err)
	}
	csv, _, err := outbreak(t, env, "export", "visits")
	if err != nil || strings.Count(csv, "\n") != 3 {
		t.Fatalf("after failed imports, export = %q, %v; want the header and 2 visits", csv, err)
	}
	// --skip-bad imports the rest and keeps the bad lines.
	rejects := filepath.Join(dir, "rejects.csv")
	// The file's first two visits are stored already: they are skipped.
	out, _, err = outbreak(t, env, "import", "visits", badFile, "--skip-bad", "--rejects", rejects)
	if err != nil || !strings.Contains(out, "imported 1 visits") || !strings.Contains(out, "skipped 2 stored already") ||
		!strings.Contains(out, "rejected 1 lines") {
		t.Fatalf("--skip-bad: %q, %v", out, err)
	}
	if b, _ := os.ReadFile(rejects); string(b) != "person,place,check_in,check_out,rejected\n"+
		"r1,v2,2026-11-02T08:00:00Z,2026-11-02T07:00:00Z,line 4: check_out: before check_in\n" {
		t.Fatalf("reject file: %q", b)
	}
	// Imported again, the good file stores nothing twice.
	if out, _, err = outbreak(t, env, "import", "visits", write(t, dir, "again.csv", good)); err != nil ||
		!strings.Contains(out, "imported 0 visits") || !strings.Contains(out, "skipped 2 stored already") {
		t.Fatalf("import again: %q, %v", out, err)
	}
	// Residents export with their personal fields opened, as NDJSON.
	nd, _, err := outbreak(t, env, "export", "residents", "--format", "ndjson")
	if err != nil || !strings.Contains(nd, `"name":"Li Lei"`) {
		t.Fatalf("export residents: %q, %v", nd, err)
	}
	// Rotating the data key keeps every resident readable.
	out, _, err = outbreak(t, env, "keys", "seal-rotate")
	if err != nil || !strings.Contains(out, "re-sealed 2 residents") {
		t.Fatalf("seal-rotate: %q, %v", out, err)
	}
	if nd2, _, err := outbreak(t, env, "export", "residents", "--format", "ndjson"); err != nil || nd2 != nd {
		t.Fatalf("after rotation: %q, %v; want %q", nd2, err, nd)
	}
}

// serveInProcess starts `outbreak serve` on a free port and returns its URL.
func serveInProcess(t *testing.T, data string) string {
	t.Helper()
	return startInProcess(t, "serve", "--addr", "127.0.0.1:0", "--data", data)
}

// startInProcess runs a command that serves until the test ends, and
// returns the URL it prints.
func startInProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	out := bufio.NewReader(pr)
	var line string
	for !strings.Contains(line, "http://") {
		var err error
		if line, err = out.ReadString('\n'); err != nil {
			t.Fatalf("%s printed no URL: %v", args[0], err)
		}
	}
	go io.Copy(io.Discard, out)
	i := strings.Index(line, "http://")
	return strings.TrimSuffix(strings.TrimSpace(line[i:]), "/")
}

func TestServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	smallCity(t, dir, data, nil)
	url := serveInProcess(t, data)
	resp, err := http.Post(url+"/api/v1/visits", "application/json", strings.NewReader(`{"person":"r1","place":"v2","check_in":"2026-11-05T10:00:00Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ ID, Person string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusCreated || v.ID == "" {
		t.Fatalf("check-in: %s %+v %v", resp.Status, v, err)
	}
	h, err := http.Get(url + "/healthz")
	if err != nil || h.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", h, err)
	}
	h.Body.Close()
	for _, b := range []string{"checkins", "codes"} {
		out, _, err := outbreak(t, nil, "bench", b, "--url", url, "--rate", "200", "--duration", "1s")
		if err != nil || !strings.Contains(out, "200 sent") || !strings.Contains(out, "0 failed") {
			t.Fatalf("bench %s: %v\n%s", b, err, out)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.DropTemplate()
	os.Exit(code)
}

func TestDemo(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "demo")
	args := []string{"demo", "--data", data, "--addr", "127.0.0.1:0", "--people", "2000", "--days", "5"}
	url := startInProcess(t, args...)
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), ">2000<") {
		t.Fatalf("home page of the demo: %s %s", resp.Status, body)
	}
	if _, err := os.Stat(filepath.Join(data, "sim", "infections.csv")); err != nil {
		t.Fatalf("the ground truth is not kept: %v", err)
	}
}

func TestDemoRefusesAHalfLoadedStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	smallCity(t, dir, data, nil)
	_, _, err := outbreak(t, nil, "demo", "--data", data, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "no finished demo city") {
		t.Fatalf("demo on a store with records: %v", err)
	}
}
