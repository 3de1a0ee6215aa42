// Command sightline is a batch pipeline for code insights and precise code
// intelligence. See README.md, or run `sightline --help`.
package main

import (
	"os"

	"github.com/sightline-dev/sightline/ops/cli"
)

func main() {
	os.Exit(cli.Run())
}
