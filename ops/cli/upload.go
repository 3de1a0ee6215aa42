package cli

import "github.com/spf13/cobra"

// newUploadCmd is `sightline upload`: the upload of an LSIF dump or a SCIP
// index. `sightline lsif upload` is the same command under its older name,
// with the same flags.
func newUploadCmd(a *app) *cobra.Command {
	cmd := newLSIFUploadCmd(a)
	cmd.Use = "upload FILE --repo NAME --commit SHA [--root DIR] [--indexer NAME] [--chunk-size 32MiB]"
	cmd.Long += "\n\n`sightline lsif upload` is an alias of this command."
	return cmd
}
