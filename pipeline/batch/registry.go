package batch

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
)

// Registry is the set of batch kinds a binary can read, by name and version.
// Build one explicitly with NewRegistry; there is no global registry.
type Registry struct {
	kinds map[string]map[int]Kind
}

// NewRegistry returns a registry of kinds. It panics if a (name, version)
// pair is given twice, which is a programming error.
func NewRegistry(kinds ...Kind) *Registry {
	r := &Registry{kinds: make(map[string]map[int]Kind)}
	for _, k := range kinds {
		if k.schema == nil {
			panic("batch: NewRegistry: zero Kind (use NewKind)")
		}
		versions := r.kinds[k.name]
		if versions == nil {
			versions = make(map[int]Kind)
			r.kinds[k.name] = versions
		}
		if _, dup := versions[k.version]; dup {
			panic(fmt.Sprintf("batch: kind %s registered twice", k))
		}
		versions[k.version] = k
	}
	return r
}

// Lookup returns the kind called name at version.
func (r *Registry) Lookup(name string, version int) (Kind, bool) {
	k, ok := r.kinds[name][version]
	return k, ok
}

// Versions returns the known versions of the kind called name, ascending.
func (r *Registry) Versions(name string) []int {
	return slices.Sorted(maps.Keys(r.kinds[name]))
}

// Resolve returns the kind a batch stored at key declares, or an
// *UnknownKindError naming key when this registry does not know it.
func (r *Registry) Resolve(key, name string, version int) (Kind, error) {
	if k, ok := r.Lookup(name, version); ok {
		return k, nil
	}
	return Kind{}, &UnknownKindError{Key: key, Kind: name, Version: version, Known: r.Versions(name)}
}

// resolveSchema finds the kind a stream's schema declares in its metadata
// and checks that the fields match it.
func (r *Registry) resolveSchema(key string, s *arrow.Schema) (Kind, error) {
	md := s.Metadata()
	name, okName := md.GetValue(MetaKind)
	vs, okVersion := md.GetValue(MetaVersion)
	if !okName || !okVersion {
		return Kind{}, fmt.Errorf("batch %q: schema has no %s/%s metadata: it was not written by sightline's batch writer", key, MetaKind, MetaVersion)
	}
	version, err := strconv.Atoi(vs)
	if err != nil {
		return Kind{}, fmt.Errorf("batch %q: kind %q has a malformed version %q in its schema metadata", key, name, vs)
	}
	k, err := r.Resolve(key, name, version)
	if err != nil {
		return Kind{}, err
	}
	if err := k.checkFields(s); err != nil {
		return Kind{}, fmt.Errorf("batch %q: schema does not match kind %s: %w; the batch is corrupt or was written by a different build", key, k, err)
	}
	return k, nil
}

// UnknownKindError is returned for a batch whose kind or kind version the
// registry does not know, typically one written by a newer binary.
type UnknownKindError struct {
	// Key is the batch's object key.
	Key string
	// Kind and Version are what the batch declares.
	Kind    string
	Version int
	// Known lists the versions of Kind the registry knows; empty when the
	// kind itself is unknown.
	Known []int
}

// Error says what is unknown and what to do about it.
func (e *UnknownKindError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("batch %q: kind %q is not known to this binary; upgrade sightline or rerun the job that wrote it", e.Key, e.Kind)
	}
	known := make([]string, len(e.Known))
	for i, v := range e.Known {
		known[i] = strconv.Itoa(v)
	}
	return fmt.Sprintf("batch %q: kind %q version %d is not known to this binary (known versions: %s); upgrade sightline or rerun the job that wrote it",
		e.Key, e.Kind, e.Version, strings.Join(known, ", "))
}
