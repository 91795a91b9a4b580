package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests of this file run the outbreak binary as separate processes,
// to kill them with SIGKILL.

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// testBinary builds the outbreak binary once per test process.
func testBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs servers")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "outbreak-bin-"); binErr != nil {
			return
		}
		if out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "outbreak"), ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "outbreak")
}

// server is an outbreak serve process.
type server struct {
	t   *testing.T
	cmd *exec.Cmd
	url string
}

// startServer starts `outbreak serve` on data, with environ added to the
// process's, and waits for it to print its URL.
func startServer(t *testing.T, data string, environ map[string]string) *server {
	t.Helper()
	cmd := exec.Command(testBinary(t), "serve", "--addr", "127.0.0.1:0", "--data", data)
	cmd.Env = os.Environ()
	for k, v := range environ {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var log bytes.Buffer
	cmd.Stderr = &log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the server printed no URL: %v\n%s", err, log.String())
	}
	s.url = strings.TrimSuffix(strings.TrimSpace(line[strings.Index(line, "http://"):]), "/")
	return s
}

// kill ends the server with SIGKILL.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatal(err)
	}
	s.cmd.Wait()
}

// stop ends the server with SIGTERM and waits for it.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		s.t.Fatalf("the server did not stop cleanly: %v", err)
	}
}

// call sends a request with a JSON body (nil for none) and decodes the
// answer into out (nil to drop it); it returns the status, or 0 when the
// request failed.
func (s *server) call(method, path string, body, out any) int {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 40 * time.Second}).Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// must is call that fails the test unless the status is want.
func (s *server) must(want int, method, path string, body, out any) {
	s.t.Helper()
	if got := s.call(method, path, body, out); got != want {
		s.t.Fatalf("%s %s: status %d, want %d", method, path, got, want)
	}
}

// codeStatus is the answer of the codes' status and sync routes.
type codeStatus struct {
	Position struct {
		Seq int64 `json:"seq"`
	} `json:"position"`
	Head   int64  `json:"head"`
	Keeper string `json:"keeper"`
}

// sync waits until the stored codes reflect every change stored so far.
func (s *server) sync() codeStatus {
	s.t.Helper()
	var st codeStatus
	s.must(http.StatusOK, "POST", "/api/v1/codes/sync", nil, &st)
	return st
}

// color returns a resident's stored color.
func (s *server) color(person string) string {
	s.t.Helper()
	var c struct {
		Color string `json:"color"`
	}
	s.must(http.StatusOK, "GET", "/api/v1/people/"+person+"/code", nil, &c)
	return c.Color
}
