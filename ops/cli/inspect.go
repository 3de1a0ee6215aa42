package cli

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs"
)

// Command returns the sightline command tree as Main runs it, for tests and
// tools that inspect its commands and flags (the Kubernetes manifests' test
// checks every container argument against it). Executing it is Main's job.
func Command() *cobra.Command {
	return newRoot(&app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
}

// Registry returns every job this binary runs, with default settings: what
// `sightline jobs` lists.
func Registry() *jobs.Registry {
	return (&app{}).registry()
}
