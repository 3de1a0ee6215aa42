package pgstore

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// postgresScript is postgres.sh, the private Postgres manager. Operators run
// it as ops/postgres.sh, a link to this package's copy: go:embed cannot reach
// outside the package directory, and the script has one source.
//
//go:embed postgres.sh
var postgresScript []byte

// Private is the private Postgres server under a data directory, managed by
// the embedded postgres.sh (ops/postgres.sh).
type Private struct {
	// DataDir is the Sightline data directory; the server lives in
	// DataDir/postgres.
	DataDir string
	// Logger receives the script's progress lines.
	Logger *slog.Logger

	started bool
}

// Start starts the server unless it already runs and returns its URL. Stop
// stops it again only if Start started it.
func (p *Private) Start(ctx context.Context) (string, error) {
	_, err := p.script(ctx, "status")
	running := err == nil
	url, err := p.script(ctx, "start")
	if err != nil {
		return "", fmt.Errorf("start private Postgres in %s: %w", filepath.Join(p.DataDir, "postgres"), err)
	}
	p.started = !running
	return strings.TrimSpace(url), nil
}

// Stop stops the server if Start started it. It runs even when ctx is
// cancelled, so that an interrupted run leaves no server behind.
func (p *Private) Stop(ctx context.Context) error {
	if !p.started {
		return nil
	}
	p.started = false
	_, err := p.script(context.WithoutCancel(ctx), "stop")
	return err
}

// Destroy stops the server and deletes its cluster: tests use it to leave
// nothing behind.
func (p *Private) Destroy(ctx context.Context) error {
	p.started = false
	_, err := p.script(context.WithoutCancel(ctx), "destroy")
	return err
}

func (p *Private) script(ctx context.Context, arg string) (string, error) {
	f, err := os.CreateTemp("", "sightline-postgres-*.sh")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(postgresScript); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "bash", f.Name(), arg)
	cmd.Env = append(os.Environ(), "SIGHTLINE_DATA_DIR="+p.DataDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" && p.Logger != nil {
			p.Logger.Debug(strings.TrimPrefix(line, "postgres.sh: "))
		}
	}
	if err != nil {
		return "", fmt.Errorf("ops/postgres.sh %s: %w: %s", arg, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
