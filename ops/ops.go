// Package ops holds what operators run besides the binary: the private
// Postgres script (embedded here so that the sightline binary can start the
// embedded default itself), the CLI in ops/cli, and example configuration in
// ops/examples.
package ops

import _ "embed"

// PostgresScript is ops/postgres.sh, the private Postgres manager.
//
//go:embed postgres.sh
var PostgresScript []byte
