package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"outbreak/internal/codes"
	"outbreak/internal/sqlstore"
	"outbreak/internal/web"
)

func serve(ctx context.Context, e env, args []string) error {
	fs := flags(e, "serve", "")
	var sf storeFlags
	sf.register(fs, "outbreak-data")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	debug := fs.String("debug-addr", "", "address for Go's profiles (/debug/pprof/), for operators only; empty: none")
	if _, err := parse(e, fs, args); err != nil {
		return err
	}
	log := newLogger(e.stderr)
	db, _, err := sf.open(ctx, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if *debug != "" {
		if err := serveProfiles(ctx, *debug); err != nil {
			return err
		}
	}
	return listenAndServe(ctx, e, log, db, sf.data, *addr)
}

// serveProfiles serves Go's runtime profiles on an address of their own,
// apart from the API, until ctx ends.
func serveProfiles(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	context.AfterFunc(ctx, func() { srv.Close() })
	return nil
}

// listenAndServe serves the API and keeps the health codes until ctx ends,
// then drains requests in flight for up to ten seconds. It prints the URL
// once it is listening. data holds the policy and the code-signing keys.
func listenAndServe(ctx context.Context, e env, log *slog.Logger, db *sqlstore.DB, data, addr string) error {
	if err := adoptPolicy(ctx, db, data); err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	keeper := codes.NewKeeper(codes.Config{Store: db, Logger: log, Now: time.Now, Workers: workers})
	tokens, err := openTokens(data)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := web.New(web.Config{Store: db, Logger: log, Now: time.Now, Registry: reg,
		Codes: codes.NewService(db, keeper, workers), Tokens: tokens})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	kept := make(chan error, 1)
	go func() { kept <- keeper.Run(ctx) }()
	defer func() { stop(); <-kept }()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "Outbreak is serving %s store at http://%s/\n", db.Dialect(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
