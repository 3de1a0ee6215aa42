package cli

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	"mvdan.cc/sh/v3/syntax"
)

// TestCIExamples checks the example CI pipelines in ops/ci: each parses as
// YAML, its shell steps parse as shell, and every sightline invocation in
// them is a real command of this binary with real flags, enough arguments
// and its required flags, as cobra itself parses them.
func TestCIExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../ci/*.yml")
	if err != nil || len(files) < 2 {
		t.Fatalf("want the GitHub Actions and GitLab CI examples in ops/ci, found %v (%v)", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			calls := sightlineCalls(t, file)
			var commands []string
			for _, args := range calls {
				path, err := checkInvocation(args)
				if err != nil {
					t.Errorf("sightline %s: %v", strings.Join(args, " "), err)
				}
				commands = append(commands, path)
			}
			for _, want := range []string{"sightline lsif upload", "sightline search count"} {
				if !slices.Contains(commands, want) {
					t.Errorf("%s runs no %q (it runs %q)", file, want, commands)
				}
			}
		})
	}
}

// checkInvocation parses args as the sightline command line would, without
// running it, and returns the command's path.
func checkInvocation(args []string) (string, error) {
	root := newRoot(&app{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }})
	cmd, rest, err := root.Find(args)
	if err != nil {
		return "", err
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return cmd.CommandPath(), err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return cmd.CommandPath(), err
	}
	return cmd.CommandPath(), cmd.ValidateRequiredFlags()
}

// sightlineCalls returns the arguments of every sightline command in the
// shell scripts of a CI file: the strings under run (GitHub Actions) and
// script, before_script, after_script (GitLab CI). A word with a variable
// in it stands for a value, so it becomes "VALUE".
func sightlineCalls(t *testing.T, file string) [][]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s is not YAML: %v", file, err)
	}
	var calls [][]string
	for _, script := range scripts(&doc, false) {
		// GitHub substitutes ${{ expressions }} before the shell runs.
		script = ghExpr.ReplaceAllString(script, "VALUE")
		f, err := syntax.NewParser().Parse(strings.NewReader(script), file)
		if err != nil {
			t.Errorf("%s: script %q is not shell: %v", file, script, err)
			continue
		}
		syntax.Walk(f, func(n syntax.Node) bool {
			if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 && c.Args[0].Lit() == "sightline" {
				calls = append(calls, words(c.Args[1:]))
			}
			return true
		})
	}
	return calls
}

var ghExpr = regexp.MustCompile(`\$\{\{.*?\}\}`)

// scripts collects the string values under the keys that hold shell.
func scripts(n *yaml.Node, shell bool) []string {
	var out []string
	switch n.Kind {
	case yaml.ScalarNode:
		if shell {
			out = append(out, n.Value)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			out = append(out, scripts(n.Content[i+1], slices.Contains([]string{"run", "script", "before_script", "after_script"}, key))...)
		}
	default:
		for _, c := range n.Content {
			out = append(out, scripts(c, shell)...)
		}
	}
	return out
}

// words turns shell words into the strings the program would see; a word
// with an expansion in it becomes "VALUE".
func words(ws []*syntax.Word) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		var b strings.Builder
		literal := true
		syntax.Walk(w, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.Lit:
				b.WriteString(n.Value)
			case *syntax.SglQuoted:
				b.WriteString(n.Value)
				return false
			case *syntax.ParamExp, *syntax.CmdSubst, *syntax.ArithmExp:
				literal = false
				return false
			}
			return true
		})
		if !literal {
			out = append(out, "VALUE")
			continue
		}
		out = append(out, b.String())
	}
	return out
}
