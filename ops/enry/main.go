// Command enry writes a build of go-enry whose package init is lazy: its
// regexps are compiled on first use and its classifier's token frequencies
// are built one language at a time, when a classification first needs that
// language, instead of all at every process start (30–50 ms and 16 MB of
// allocations before main, paid by every sightline command).
//
// It copies go-enry's files from the module cache into a build directory
// (gitignored), rewrites the three it changes (patches.go), and writes there
// a go.mod: the repository's, plus a replace directive naming that copy, and
// the repository's go.sum. `make build` runs it from the repository's root
// and builds with `go build -modfile=.build/enry/go.mod`; the repository
// holds no copy of go-enry. (An overlay cannot do it: the go command refuses
// to overlay files in the module cache.) It fails, naming the file, when
// go-enry's files do not have the shape it expects (after a version bump):
// then update ops/enry/patches.go, or build without it (plain `go build`
// answers the same, but starts slower).
//
// Usage:
//
//	go run ./ops/enry [-out DIR] [-enry DIR]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command; it returns the exit status (2 for usage errors).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("enry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".build/enry", "build `directory` for the lazy copy of go-enry, go.mod and go.sum")
	dir := fs.String("enry", "", "go-enry's module `directory` (default: go list -m "+Module+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *out == "" {
		fmt.Fprintf(stderr, "enry: unexpected arguments %q: usage: go run ./ops/enry [-out DIR] [-enry DIR]\n", fs.Args())
		return 2
	}
	if *dir == "" {
		d, err := ModuleDir()
		if err != nil {
			fmt.Fprintf(stderr, "enry: %v\n", err)
			return 1
		}
		*dir = d
	}
	modFile, err := Transform(*dir, ".", *out)
	if err != nil {
		fmt.Fprintf(stderr, "enry: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, modFile)
	return 0
}
