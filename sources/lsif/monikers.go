package lsif

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
)

// monikerResults delivers, per moniker key and kind, the results that
// ranges carrying the moniker lead to, ordered by scheme and identifier.
// As in the reference converter, import and export monikers both feed
// both kinds: the defining dump's own references are found by the moniker
// its ranges export. Results left empty by pruning are left out; a key
// left with none is not delivered.
func (g *grouper) monikerResults(ctx context.Context) error {
	c := g.c
	pairs := g.pairs
	g.pairs, g.paired = nil, nil
	slices.SortFunc(pairs, func(a, b monikerPair) int {
		ka, kb := c.keys.key(a.key), c.keys.key(b.key)
		return cmp.Or(
			cmp.Compare(ka.scheme, kb.scheme),
			cmp.Compare(ka.identifier, kb.identifier),
			cmp.Compare(a.kind, b.kind),
			cmp.Compare(a.result, b.result),
		)
	})
	pairs = slices.Compact(pairs)
	var ids []int32
	for i := 0; i < len(pairs); {
		if err := ctx.Err(); err != nil {
			return err
		}
		j := i
		ids = ids[:0]
		for ; j < len(pairs) && pairs[j].key == pairs[i].key && pairs[j].kind == pairs[i].kind; j++ {
			if r := pairs[j].result; !g.empty[r] {
				ids = append(ids, int32(r))
			}
		}
		if len(ids) > 0 {
			k := c.keys.key(pairs[i].key)
			mr := MonikerResults{Kind: pairs[i].kind, Scheme: k.scheme, Identifier: k.identifier, ResultIDs: ids}
			c.stats.OutMonikerResults++
			if err := c.sink.MonikerResults(mr); err != nil {
				return fmt.Errorf("%s of moniker %s %s: %w", mr.Kind, mr.Scheme, mr.Identifier, err)
			}
		}
		i = j
	}
	return nil
}

// packages delivers the packages of export monikers, then those of import
// monikers that the dump does not itself define, with the identifiers
// imported from each. Like the reference converter it looks at every
// moniker with package information, used by a kept document or not.
func (g *grouper) packages(ctx context.Context) error {
	c := g.c
	exported := make(map[Package]struct{})
	imported := make(map[Package]map[string]struct{})
	for m := uint32(1); m <= uint32(c.monikers.len()); m++ {
		rec := c.monikers.at(m)
		if rec.pkg == 0 || rec.kind == mLocal {
			continue
		}
		k := c.keys.key(rec.key)
		p := Package{Scheme: k.scheme, PackageInfo: c.pkgs[rec.pkg-1]}
		if rec.kind == mExport {
			exported[p] = struct{}{}
			continue
		}
		if imported[p] == nil {
			imported[p] = make(map[string]struct{})
		}
		imported[p][k.identifier] = struct{}{}
	}
	for _, p := range slices.SortedFunc(maps.Keys(exported), comparePackages) {
		c.stats.OutPackages++
		if err := c.sink.Package(p); err != nil {
			return fmt.Errorf("package %s %s@%s: %w", p.Scheme, p.Name, p.Version, err)
		}
	}
	for _, p := range slices.SortedFunc(maps.Keys(imported), comparePackages) {
		if _, ok := exported[p]; ok {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		ref := PackageRef{Package: p, Identifiers: slices.Sorted(maps.Keys(imported[p]))}
		c.stats.OutPackageRefs++
		if err := c.sink.PackageRef(ref); err != nil {
			return fmt.Errorf("package reference %s %s@%s: %w", p.Scheme, p.Name, p.Version, err)
		}
	}
	return nil
}

func comparePackages(a, b Package) int {
	return cmp.Or(
		cmp.Compare(a.Scheme, b.Scheme),
		cmp.Compare(a.Manager, b.Manager),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Version, b.Version),
	)
}
