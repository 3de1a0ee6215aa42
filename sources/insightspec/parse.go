package insightspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sightline-dev/sightline/sources/repospec"
	"github.com/sightline-dev/sightline/sources/search/query"
)

// rawFile and the types below are the file as YAML decodes it, before
// validation. Pointers tell a key that is absent from one set to zero.
type rawFile struct {
	Repos    []repospec.Spec `yaml:"repos"`
	Insights []rawInsight    `yaml:"insights"`
}

type rawInsight struct {
	Title        string      `yaml:"title"`
	ID           *string     `yaml:"id"`
	Description  string      `yaml:"description"`
	Presentation string      `yaml:"presentation"`
	Repos        *[]string   `yaml:"repos"`
	RepoCriteria *string     `yaml:"repo_criteria"`
	AllRepos     *bool       `yaml:"all_repos"`
	Interval     yaml.Node   `yaml:"interval"` // a short form or {unit, value}
	Points       *int        `yaml:"points"`
	Filters      rawFilters  `yaml:"filters"`
	Sort         rawSort     `yaml:"sort"`
	Limit        *int        `yaml:"limit"`
	Series       []rawSeries `yaml:"series"`
}

type rawFilters struct {
	IncludeRepos string `yaml:"include_repos"`
	ExcludeRepos string `yaml:"exclude_repos"`
}

type rawSort struct {
	Mode      string `yaml:"mode"`
	Direction string `yaml:"direction"`
}

type rawSeries struct {
	Label   string `yaml:"label"`
	Query   string `yaml:"query"`
	Color   string `yaml:"color"`
	Kind    string `yaml:"kind"`
	GroupBy string `yaml:"group_by"`
}

// Parse reads and validates the insights file at path. Relative repository
// paths are taken relative to the file's directory. A file with mistakes
// returns Errors listing every one.
func Parse(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("insights file: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("insights file %s: %w", path, err)
	}
	f, err := ParseBytes(path, data, filepath.Dir(abs))
	if f != nil {
		f.Source = abs
	}
	return f, err
}

// ParseBytes validates data as an insights file called name (used in
// messages), resolving relative repository paths against baseDir. A file
// with mistakes returns Errors listing every one.
func ParseBytes(name string, data []byte, baseDir string) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{syntaxError(name, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, Errors{{File: name, Msg: "the file is empty; declare insights: (and optionally repos:)"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, Errors{{File: name, Line: root.Line, Msg: "want a mapping with repos: and insights: at the top"}}
	}
	var raw rawFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	v := &validator{file: name, loc: newLocator(root), raw: &raw, badType: map[string]bool{}}
	if err := dec.Decode(&raw); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, Errors{syntaxError(name, err)}
		}
		// Decoding went on past type errors; report them with the rest.
		for _, msg := range te.Errors {
			v.errs = append(v.errs, v.typeError(msg))
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		v.errs = append(v.errs, &Error{File: name, Line: extra.Line,
			Msg: "a second YAML document (---); put every insight in the first"})
	}
	f := v.build(baseDir)
	if len(v.errs) > 0 {
		return nil, v.errs.sorted()
	}
	return f, nil
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })

// syntaxError turns yaml.v3's "yaml: line N: msg" into file:N: msg.
func syntaxError(name string, err error) *Error {
	msg := err.Error()
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &Error{File: name, Line: line, Msg: "malformed YAML: " + m[2]}
	}
	return &Error{File: name, Msg: "malformed YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

var (
	unknownKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^field (\S+) not found in type (\S+)$`) })
	badType    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
	})
)

// knownKeys lists the keys of each raw type, by the type name yaml.v3 uses
// in its messages.
var knownKeys = func() map[string]string {
	out := map[string]string{}
	for _, v := range []any{rawFile{}, rawInsight{}, rawFilters{}, rawSort{}, rawSeries{}, repospec.Spec{}} {
		t := reflect.TypeOf(v)
		var keys []string
		for i := range t.NumField() {
			keys = append(keys, strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0])
		}
		out[t.String()] = strings.Join(keys, ", ")
	}
	return out
}()

// typeError locates one of yaml.v3's type errors ("line N: …") and words it
// for a user: an unknown key with the known ones, or a value of the wrong
// type.
func (v *validator) typeError(msg string) *Error {
	m := yamlLine().FindStringSubmatch(msg)
	if m == nil {
		return &Error{File: v.file, Msg: msg}
	}
	var line int
	fmt.Sscan(m[1], &line)
	text := m[2]
	if u := unknownKey().FindStringSubmatch(text); u != nil {
		path := v.loc.pathAt(line, u[1], "")
		if len(path) > 0 {
			path = path[:len(path)-1]
		}
		msg := fmt.Sprintf("unknown key %q", u[1])
		if near := query.Suggest(u[1], strings.Split(knownKeys[u[2]], ", "), 2); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		e := v.at(path, fmt.Sprintf("%s (known keys: %s)", msg, knownKeys[u[2]]))
		e.Line = line
		return e
	}
	if t := badType().FindStringSubmatch(text); t != nil {
		p := v.loc.pathAt(line, "", t[2])
		e := v.at(p, "want "+typeWords(t[3])+", got "+valueWords(t[1], t[2]))
		e.Line = line
		v.badType[p.String()] = true
		return e
	}
	return &Error{File: v.file, Line: line, Msg: text}
}

func typeWords(goType string) string {
	switch goType {
	case "int", "*int":
		return "a whole number"
	case "bool", "*bool":
		return "true or false"
	case "string", "*string":
		return "a string"
	case "[]string", "*[]string":
		return "a list of strings"
	}
	if strings.HasPrefix(goType, "[]") {
		return "a list"
	}
	return "a mapping"
}

func valueWords(tag, value string) string {
	switch tag {
	case "map":
		return "a mapping"
	case "seq":
		return "a list"
	}
	return fmt.Sprintf("%q", value)
}
