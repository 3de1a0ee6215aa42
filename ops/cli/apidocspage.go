package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// writePageMarkdown renders a documentation page: a title, a section per
// file, a heading per symbol (one level deeper per nesting, at most six),
// its signature as a code block and its documentation.
func writePageMarkdown(out io.Writer, p apidocs.Page) error {
	w := bufio.NewWriter(out)
	title := p.Repo
	if p.Path != "" {
		title += "/" + p.Path
	}
	fmt.Fprintf(w, "# %s\n", title)
	for _, f := range p.Files {
		fmt.Fprintf(w, "\n## %s\n\n_at commit %s_\n", f.Path, f.Commit)
		writeSymbols(w, f.Symbols, 3)
	}
	return w.Flush()
}

func writeSymbols(w *bufio.Writer, syms []apidocs.Symbol, level int) {
	for _, s := range syms {
		fmt.Fprintf(w, "\n%s %s\n\n", strings.Repeat("#", min(level, 6)), s.SearchKey)
		fmt.Fprintf(w, "_%s, line %d_\n", s.Kind, s.Line)
		if s.Signature != "" {
			fmt.Fprintf(w, "\n```\n%s\n```\n", strings.TrimRight(s.Signature, "\n"))
		}
		if d := strings.TrimSpace(s.Detail); d != "" {
			fmt.Fprintf(w, "\n%s\n", d)
		}
		writeSymbols(w, s.Children, level+1)
	}
}
