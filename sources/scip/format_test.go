package scip_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/sources/scip"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	real, err := os.ReadFile("testdata/shapes.scip")
	if err != nil {
		t.Fatal(err)
	}
	// A SCIP index whose 123-byte metadata starts "\n{", like an LSIF dump
	// after a blank line.
	meta := sciptest.AppendMetadata(nil, "t", "1", "file:///"+strings.Repeat("a", 103))
	if string(meta[:2]) != "\n{" {
		t.Fatalf("metadata starts %q, want \"\\n{\"", meta[:2])
	}
	tests := []struct {
		name string
		head string
		want scip.Format
		err  bool
	}{
		{name: "scip-typescript index", head: string(real), want: scip.FormatSCIP},
		{name: "head of a long index", head: string(real[:100]), want: scip.FormatSCIP},
		{name: "document first", head: string(sciptest.AppendDocument(nil, sciptest.Document{RelativePath: "a.go"})), want: scip.FormatSCIP},
		{name: "metadata of 123 bytes", head: string(meta), want: scip.FormatSCIP},
		{name: "lsif", head: `{"id":1,"type":"vertex","label":"metaData"}` + "\n", want: scip.FormatLSIF},
		{name: "lsif after a blank line", head: "\n" + `{"id":1,"type":"vertex","label":"metaData","version":"0.4.3","projectRoot":"file:///src/app","positionEncoding":"utf-16","toolInfo":{"name":"lsif-tsc","version":"0.5.6"}}` + "\n", want: scip.FormatLSIF},
		{name: "text", head: "hello world\n", err: true},
		{name: "zip", head: "PK\x03\x04\x14\x00\x00\x00", err: true},
		{name: "json array", head: "[1,2,3]", err: true},
		{name: "empty", head: "  \n", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scip.Sniff([]byte(tt.head))
			if tt.err {
				if err == nil {
					t.Fatalf("Sniff = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Sniff = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := scip.Sniff([]byte("hello")); !errors.Is(err, scip.ErrUnknownFormat) {
		t.Errorf("err = %v, want ErrUnknownFormat", err)
	}
	if got := scip.ToolName(real); got != "scip-typescript" {
		t.Errorf("ToolName = %q", got)
	}
}
