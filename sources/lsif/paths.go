package lsif

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

var errNoRoot = errors.New("the dump names no project root (no metaData.projectRoot and no group rootUri): pass the root URI")

// CleanRoot validates Opts.Root: a relative, slash-separated directory
// inside the repository. It returns the root cleaned, "" for the
// repository root. The SCIP converter checks its root with it too.
func CleanRoot(root string) (string, error) {
	if root == "" {
		return "", nil
	}
	if strings.HasPrefix(root, "/") || strings.Contains(root, `\`) {
		return "", fmt.Errorf("root %q: want a directory relative to the repository root, with forward slashes", root)
	}
	clean := path.Clean(root)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("root %q is outside the repository", root)
	}
	if clean == "." {
		return "", nil
	}
	return clean, nil
}

// projectPaths turns document URIs into repository-relative paths.
type projectPaths struct {
	root       *url.URL
	rootPath   string // root's path, without a trailing slash
	uploadRoot string
	// underRoot: the project root is the upload root (the usual case);
	// otherwise it is taken to be the repository root, as in the reference
	// converter, and documents must lie under the upload root.
	underRoot bool
}

// newProjectPaths picks the project root URI: the caller's, else
// metaData.projectRoot, else the LSIF 0.5 group's rootUri.
func newProjectPaths(opts, meta, group, uploadRoot string) (*projectPaths, error) {
	raw := cmp.Or(opts, meta, group)
	if raw == "" {
		return nil, errNoRoot
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("project root %q: %v", raw, err)
	}
	p := &projectPaths{root: u, rootPath: strings.TrimSuffix(u.Path, "/"), uploadRoot: uploadRoot}
	p.underRoot = uploadRoot == "" || p.rootPath == uploadRoot || strings.HasSuffix(p.rootPath, "/"+uploadRoot)
	return p, nil
}

// path returns the repository-relative path of a document URI, or ok false
// when the document lies outside the project root or the upload root.
func (p *projectPaths) path(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != p.root.Scheme || u.Host != p.root.Host {
		return "", false
	}
	if !strings.HasPrefix(u.Path, p.rootPath+"/") {
		return "", false
	}
	rel := path.Clean(u.Path[len(p.rootPath)+1:])
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	if p.underRoot {
		return path.Join(p.uploadRoot, rel), true
	}
	if strings.HasPrefix(rel, p.uploadRoot+"/") {
		return rel, true
	}
	return "", false
}
