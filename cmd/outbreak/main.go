// Command outbreak is the outbreak-response platform: one binary that serves
// the API and pages, imports and exports records, and generates synthetic
// cities for demos and benchmarks.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // residents' time zones validate on machines without a zone database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "outbreak:", err)
		os.Exit(exitCode(err))
	}
}
