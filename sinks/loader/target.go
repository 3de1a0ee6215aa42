package loader

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

// Target says how batches of one kind are loaded. In the batch's
// transaction (the run's, with Loader.Atomic) the loader runs Prepare, COPYs
// the batch's rows into Table, then runs Merge.
//
// A plain target COPYs into the final table. An upsert target creates a
// staging table in Prepare, COPYs into it, and merges from it:
//
//	loader.Target{
//		Kind:    repoKind,
//		Table:   "stage_repos",
//		Prepare: `CREATE TEMP TABLE stage_repos (LIKE repos INCLUDING DEFAULTS) ON COMMIT DROP`,
//		Merge:   `INSERT INTO repos SELECT * FROM stage_repos ON CONFLICT (id) DO UPDATE SET ...`,
//	}
type Target struct {
	// Kind is the batch kind (name and version) this target loads.
	Kind batch.Kind
	// Table is the table COPY writes to, optionally schema-qualified
	// ("schema.table").
	Table string
	// Columns are the table's columns, one per field of Kind, in field
	// order; empty means the field names.
	Columns []string
	// Prepare, if set, runs before the COPY; it may hold several statements.
	Prepare string
	// Merge, if set, runs after the COPY; it may hold several statements.
	Merge string
}

// columns returns the COPY column list.
func (t *Target) columns() []string {
	if len(t.Columns) > 0 {
		return t.Columns
	}
	fields := t.Kind.Schema().Fields()
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = f.Name
	}
	return cols
}

func (t *Target) table() pgx.Identifier { return pgx.Identifier(strings.Split(t.Table, ".")) }

// check reports what is wrong with t: a missing table, a column count that
// differs from the kind's fields, or a field type COPY cannot load.
func (t *Target) check() error {
	if t.Table == "" {
		return fmt.Errorf("target for kind %s: no Table", t.Kind)
	}
	fields := t.Kind.Schema().Fields()
	if n := len(t.columns()); n != len(fields) {
		return fmt.Errorf("target for kind %s: %d columns for %d fields", t.Kind, n, len(fields))
	}
	for i, f := range fields {
		if _, err := binderFor(f.Type); err != nil {
			return fmt.Errorf("target for kind %s: %w", t.Kind, columnError(t.columns()[i], f, err))
		}
	}
	return nil
}

// plan is one batch of a run and the target it loads into.
type plan struct {
	info   batch.Info
	target *Target
	reg    *batch.Registry
}

// plan matches every batch of m with its target.
func (l *Loader) plan(m batch.Manifest) ([]plan, error) {
	if m.Job == "" || m.RunID == "" {
		return nil, fmt.Errorf("load run: manifest names no job or run id (job %q, run id %q)", m.Job, m.RunID)
	}
	reg := l.registry()
	plans := make([]plan, 0, len(m.Batches))
	for _, info := range m.Batches {
		if _, err := reg.Resolve(info.Key, info.Kind, info.Version); err != nil {
			return nil, fmt.Errorf("load run %s/%s: %w", m.Job, m.RunID, err)
		}
		t, err := l.target(info)
		if err != nil {
			return nil, fmt.Errorf("load run %s/%s: %w", m.Job, m.RunID, err)
		}
		plans = append(plans, plan{info: info, target: t, reg: reg})
	}
	return plans, nil
}

// target returns the one target for info's kind and version.
func (l *Loader) target(info batch.Info) (*Target, error) {
	var found *Target
	for i := range l.Targets {
		t := &l.Targets[i]
		if t.Kind.Name() != info.Kind || t.Kind.Version() != info.Version {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("batch %q: two targets for kind %s", info.Key, t.Kind)
		}
		found = t
	}
	if found == nil {
		return nil, fmt.Errorf("batch %q: no load target for kind %q version %d; the loader's Targets must cover every kind the job writes", info.Key, info.Kind, info.Version)
	}
	if err := found.check(); err != nil {
		return nil, err
	}
	return found, nil
}

func (l *Loader) registry() *batch.Registry {
	if l.Registry != nil {
		return l.Registry
	}
	// Two targets for one kind are reported by target, not here, where
	// NewRegistry would panic.
	seen := make(map[string]bool)
	var kinds []batch.Kind
	for _, t := range l.Targets {
		if t.Kind.Schema() != nil && !seen[t.Kind.String()] {
			seen[t.Kind.String()] = true
			kinds = append(kinds, t.Kind)
		}
	}
	return batch.NewRegistry(kinds...)
}
