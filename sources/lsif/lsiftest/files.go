package lsiftest

import (
	"os"
	"path/filepath"
	"testing"
)

// Files returns the files under dir (a fixture project such as
// sources/lsif/testdata/shapes) by slash-separated path relative to dir, for
// gittest.Repo.Commit: the sources its dump was made from, so that
// process-uploads keeps the documents.
func Files(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
