package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/giturl"
)

// fileConfig is the optional YAML configuration file (--config,
// SIGHTLINE_CONFIG).
type fileConfig struct {
	// Repos are registered (or updated) by every sync-repos run.
	Repos []repos.Spec `yaml:"repos"`
	// Schedule overrides jobs' default cron specs; "off" disables a job.
	Schedule map[string]string `yaml:"schedule"`
}

// loadConfig reads path. Unknown keys are errors (a typo must not be
// ignored), relative repository paths are taken relative to the file, and
// every repository is validated, its URL against the allowed git
// protocols; errors name the file.
func loadConfig(path string, protocols giturl.Protocols) (fileConfig, error) {
	var cfg fileConfig
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("config file %s: %s", path, yamlMessage(err))
	}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return cfg, err
	}
	for i := range cfg.Repos {
		r := &cfg.Repos[i]
		if r.Path != "" && !filepath.IsAbs(r.Path) {
			r.Path = filepath.Join(base, r.Path)
		}
		err := r.Validate()
		if err == nil {
			err = r.CheckProtocols(protocols)
		}
		if err != nil {
			return cfg, fmt.Errorf("config file %s: repos[%d]: %w", path, i, err)
		}
	}
	return cfg, nil
}

var unknownField = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`field (\S+) not found in type \S+`) })

// yamlMessage flattens yaml.v3's errors to one line and says "unknown key"
// where it speaks of Go types.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	msgs := make([]string, len(te.Errors))
	for i, e := range te.Errors {
		msgs[i] = unknownField().ReplaceAllString(e, `unknown key "$1" (known keys: repos, schedule; repos entries: name, path, url, private)`)
	}
	return strings.Join(msgs, "; ")
}
